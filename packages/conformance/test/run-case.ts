// Runs one registered case by name outside node:test's suite, so a test can expect it to fail.
import { type Client, createClient } from '@procwire/core';
import type { Transport } from '@procwire/core/transport';
import {
  type ConformanceCaseContext,
  type ConformanceLimits,
  conformanceCases,
  memoryCommands,
  type ObservedHost,
} from '@procwire/conformance';

type CaseBody = (context: ConformanceCaseContext) => Promise<void>;

const bodies = new Map<string, CaseBody>();
for (const register of conformanceCases) {
  register({
    test(name, _options, body) {
      bodies.set(name, body);
    },
  });
}

/** Run the case named `name` against `transport` (memory fixtures); rejects as the case would fail. */
export async function runCase(
  name: string,
  transport: Transport,
  options: {
    readonly interrupt?: () => void;
    readonly limits?: ConformanceLimits;
    readonly otherPrincipal?: Transport;
    readonly observedHost?: ObservedHost;
  } = {},
): Promise<void> {
  const body = bodies.get(name);
  if (body === undefined) throw new Error(`no case named ${JSON.stringify(name)}`);
  const clients: Client[] = [];
  const ended = new AbortController();
  try {
    await body({
      transport,
      client: (clientOptions) => {
        const client = createClient(transport, { retryTimeoutMs: 5_000, ...clientOptions });
        clients.push(client);
        return client;
      },
      otherPrincipalTransport: options.otherPrincipal,
      otherPrincipalClient: (clientOptions) => {
        if (options.otherPrincipal === undefined) return undefined;
        const client = createClient(options.otherPrincipal, { retryTimeoutMs: 5_000, ...clientOptions });
        clients.push(client);
        return client;
      },
      observedHost: options.observedHost,
      closeTransport: () => transport.close(),
      skip: (reason) => {
        throw new Error(`skipped: ${reason}`);
      },
      interrupt: async () => options.interrupt?.(),
      commands: memoryCommands,
      limits: {
        maxArgvBytes: 256 * 1024,
        largeOutputBytes: 4 * 1024 * 1024,
        outputChunkBytes: 64 * 1024,
        outputBurstBytes: 0,
        exitReadBytes: 288 * 1024,
        ...options.limits,
      },
      host: { directory: '/', missingDirectory: '/missing', inheritedEnv: 'HOME' },
      signal: ended.signal,
    });
  } finally {
    ended.abort();
    await Promise.allSettled(clients.map((client) => client.close()));
    await transport.close();
  }
}
