/**
 * `describeTransportConformance`: registers the whole behaviour suite for one transport with
 * node:test, so a transport's own test file is about ten lines.
 */
import assert from 'node:assert/strict';
import { realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Client, createClient } from '@procwire/core';
import type { Transport } from '@procwire/core/transport';
import { conformanceCases } from './cases/index.js';
import { posixCommands } from './commands/fixtures.js';

import { withoutClose } from './harness/shared-transport.js';
import type { ConformanceCaseContext, ConformanceSuite } from './harness/suite.js';
import type {
  ConformanceCapability,
  ConformanceHost,
  ConformanceLimits,
  ConformanceOptions,
  ConformanceTarget,
} from './options.js';

/** The reason printed next to each case skipped for a capability (`# SKIP no pty`). */
export const skipReasons: Readonly<Record<ConformanceCapability, string>> = {
  pty: 'no pty',
  signals: 'no signals',
  processGroups: 'no process groups',
  resume: 'no resume',
  workingDirectory: 'no working directories',
};

const CLEANUP_TIMEOUT_MS = 3_000;

/**
 * Register the conformance suite for one transport: a node:test `describe` named
 * `transport conformance: <name>`, with one test per behaviour. `setup` runs once before the
 * first case, `teardown` once after the last. Cases whose capability `supports` sets to `false`
 * are skipped and named. Call it at the top level of a test file.
 *
 * @example
 * describeTransportConformance({
 *   name: 'localTransport',
 *   setup: () => ({ transport: localTransport() }),
 *   supports: { pty: true, signals: true, processGroups: true, resume: false },
 * });
 */
export function describeTransportConformance<Target extends ConformanceTarget>(options: ConformanceOptions<Target>): void {
  assert.ok(typeof options?.name === 'string' && options.name !== '', 'describeTransportConformance: name is required');
  assert.equal(typeof options.setup, 'function', 'describeTransportConformance: setup must be a function');
  const supports = options.supports ?? {};
  const commands = options.commands ?? posixCommands;
  const limits = resolveLimits(options.limits);
  const host = resolveHost(options.host);
  const timeoutScale = options.timeoutScale ?? 1;
  let target: Target | undefined;
  let shared: Transport | undefined;

  describe(`transport conformance: ${options.name}`, () => {
    before(async () => {
      target = await options.setup();
      assert.ok(target?.transport, `${options.name}: setup() must return { transport }`);
      shared = withoutClose(target.transport);
    });
    after(async () => {
      if (target === undefined) return;
      await (options.teardown ?? ((done: Target) => done.transport.close()))(target);
    });

    const suite: ConformanceSuite = {
      test(name, caseOptions, body) {
        const missing = caseOptions.needs?.find((capability) => supports[capability] === false);
        const timeoutMs = caseOptions.timeoutMs * timeoutScale;
        // node:test's own timeout is only the backstop: its timer does not keep the process alive,
        // so a transport that never answers would end the run with a vague "cancelled".
        const backstopMs = timeoutMs + CLEANUP_TIMEOUT_MS + 1_000;
        const skip = missing === undefined ? false : skipReasons[missing];
        it(name, { timeout: backstopMs, skip }, async (t) => {
          assert.ok(target !== undefined && shared !== undefined, 'setup() did not complete');
          const transport = shared;
          const interrupt = target.interrupt;
          const clients: Client[] = [];
          const ended = new AbortController();
          t.signal.addEventListener('abort', () => ended.abort(), { once: true });
          const deadline = caseDeadline(timeoutMs, name);
          let earlier: ReadonlySet<string> | undefined;
          const context: ConformanceCaseContext = {
            transport,
            client: (clientOptions) => {
              const client = createClient(transport, clientOptions);
              clients.push(client);
              return client;
            },
            interrupt: async () => {
              assert.ok(
                interrupt !== undefined,
                `${options.name}: setup() returned no interrupt(); provide one, or set supports.resume to false`,
              );
              await interrupt();
            },
            commands,
            limits,
            host,
            signal: ended.signal,
          };
          try {
            earlier = await Promise.race([processIds(transport), deadline.expired]);
            await Promise.race([body(context), deadline.expired]);
          } finally {
            deadline.clear();
            ended.abort();
            await withinCleanupTime(cleanUp(transport, clients, earlier));
          }
        });
      },
    };
    for (const register of conformanceCases) register(suite);
  });
}

function resolveLimits(limits: ConformanceLimits = {}): Required<ConformanceLimits> {
  return {
    maxArgvBytes: limits.maxArgvBytes ?? 256 * 1024,
    largeOutputBytes: limits.largeOutputBytes ?? 64 * 1024 * 1024,
    outputChunkBytes: limits.outputChunkBytes ?? 64 * 1024,
  };
}

function resolveHost(host: ConformanceHost = {}): Required<ConformanceHost> {
  const directory = host.directory ?? realpathSync(tmpdir());
  return {
    directory,
    missingDirectory: host.missingDirectory ?? join(directory, `procwire-conformance-missing-${process.pid}`),
    inheritedEnv: host.inheritedEnv ?? 'HOME',
  };
}

/** Ids of the processes the transport lists now; `undefined` when listing fails. */
async function processIds(transport: Transport): Promise<ReadonlySet<string> | undefined> {
  try {
    return new Set((await transport.list()).map((info) => info.processId));
  } catch {
    return undefined;
  }
}

/**
 * Close the case's clients and SIGKILL whatever the case started and left running, so a failed
 * case does not leave a `sleep 60` behind for the next. Errors are ignored: the case has spoken.
 */
async function cleanUp(transport: Transport, clients: readonly Client[], earlier: ReadonlySet<string> | undefined) {
  await Promise.allSettled(clients.map((client) => client.close()));
  if (earlier === undefined) return;
  try {
    const running = (await transport.list()).filter((info) => info.state === 'running' && !earlier.has(info.processId));
    await Promise.allSettled(
      running.map((info) => transport.signal({ processId: info.processId, signal: 'SIGKILL' })),
    );
  } catch {
    // Listing failed: the transport is broken or closed, and the case has already failed.
  }
}

/**
 * The case's own timeout: `expired` rejects with a message naming the case once `ms` pass. Its
 * timer keeps the process alive, so a hanging transport fails the case instead of ending the run.
 */
function caseDeadline(ms: number, name: string): { readonly expired: Promise<never>; clear(): void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`"${name}" did not finish within ${Math.round(ms)} ms: a call to the transport never answered?`)),
      ms,
    );
  });
  expired.catch(() => {});
  return { expired, clear: () => clearTimeout(timer) };
}

async function withinCleanupTime(cleanup: Promise<void>): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([cleanup, new Promise<void>((resolve) => (timer = setTimeout(resolve, CLEANUP_TIMEOUT_MS)))]);
  clearTimeout(timer);
}
