/**
 * Runs one case: gives it a context, holds it to its deadline, and cleans up after it (closes its
 * clients, SIGKILLs what it left running), whatever the case did.
 */
import assert from 'node:assert/strict';
import { type Client, createClient } from '@procwire/core';
import type { Transport } from '@procwire/core/transport';
import type { ConformanceCommands } from '../commands/commands.js';
import type { ConformanceHost, ConformanceLimits } from '../options.js';
import type { ObservedHost } from './host-observer.js';
import type { ConformanceCaseContext } from './suite.js';

/** The most a clean-up may take before the next case starts anyway. */
export const CLEANUP_TIMEOUT_MS = 3_000;

/** What a case runs with. */
export interface CaseRun {
  readonly suiteName: string;
  readonly caseName: string;
  readonly transport: Transport;
  readonly interrupt: (() => void | Promise<void>) | undefined;
  readonly otherPrincipal: Transport | undefined;
  readonly observedHost: ObservedHost | undefined;
  /** Closes the transport under test itself (not the shared view of it). */
  readonly closeTransport: () => Promise<void>;
  readonly commands: ConformanceCommands;
  readonly limits: Required<ConformanceLimits>;
  readonly host: Required<ConformanceHost>;
  readonly timeoutMs: number;
  /** node:test's signal for the test (aborted on its backstop timeout). */
  readonly testSignal: AbortSignal;
  /** Marks the running test skipped, with a reason (node:test's `t.skip`). */
  readonly skipNow: (reason: string) => void;
}

/** Run `body` as the case `run` describes; rejects as the case fails. */
export async function runCase(run: CaseRun, body: (context: ConformanceCaseContext) => Promise<void>): Promise<void> {
  const { transport, interrupt } = run;
  const clients: Client[] = [];
  const ended = new AbortController();
  run.testSignal.addEventListener('abort', () => ended.abort(), { once: true });
  const deadline = caseDeadline(run.timeoutMs, run.caseName);
  let earlier: ReadonlySet<string> | undefined;
  const context: ConformanceCaseContext = {
    transport,
    client: (clientOptions) => {
      const client = createClient(transport, clientOptions);
      clients.push(client);
      return client;
    },
    otherPrincipalTransport: run.otherPrincipal,
    otherPrincipalClient: (clientOptions) => {
      if (run.otherPrincipal === undefined) return undefined;
      const client = createClient(run.otherPrincipal, clientOptions);
      clients.push(client);
      return client;
    },
    skip: run.skipNow,
    interrupt: async () => {
      assert.ok(
        interrupt !== undefined,
        `${run.suiteName}: setup() returned no interrupt(); provide one, or set supports.resume to false`,
      );
      await interrupt();
    },
    observedHost: run.observedHost,
    closeTransport: run.closeTransport,
    commands: run.commands,
    limits: run.limits,
    host: run.host,
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
}

/**
 * The case's own timeout: `expired` rejects with a message naming the case once `ms` pass. Its
 * timer keeps the process alive, so a hanging transport fails the case instead of ending the run
 * (node:test's own timer does not).
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
async function cleanUp(
  transport: Transport,
  clients: readonly Client[],
  earlier: ReadonlySet<string> | undefined,
): Promise<void> {
  await Promise.allSettled(clients.map((client) => client.close()));
  if (earlier === undefined) return;
  try {
    const running = (await transport.list()).filter((info) => info.state === 'running' && !earlier.has(info.processId));
    await Promise.allSettled(running.map((info) => transport.signal({ processId: info.processId, signal: 'SIGKILL' })));
  } catch {
    // Listing failed: the transport is broken or closed, and the case has already failed.
  }
}

async function withinCleanupTime(cleanup: Promise<void>): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([cleanup, new Promise<void>((resolve) => (timer = setTimeout(resolve, CLEANUP_TIMEOUT_MS)))]);
  clearTimeout(timer);
}
