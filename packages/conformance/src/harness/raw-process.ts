/** Calls on the transport itself, below the client: for the cases about what each call owes. */
import assert from 'node:assert/strict';
import type { ProcessInfo, Transport } from '@procwire/core/transport';

let started = 0;

/** Start `argv` with piped output through `transport.start`, under a fresh process id. */
export function startRaw(transport: Transport, argv: readonly string[]): Promise<ProcessInfo> {
  const processId = `conformance-raw-${Date.now().toString(36)}-${(started++).toString(36)}`;
  return transport.start({ processId, argv, stdout: 'pipe', stderr: 'pipe' });
}

/** What a promise did within a time: resolved with a value, rejected with an error, or nothing yet. */
export type Settlement<T> = { readonly state: 'resolved'; readonly value: T } | { readonly state: 'rejected'; readonly error: unknown } | { readonly state: 'pending' };

/** Waits at most `ms` for `promise` to settle; never rejects. */
export async function settlement<T>(promise: Promise<T>, ms: number): Promise<Settlement<T>> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const pending = new Promise<Settlement<T>>((resolve) => {
    timer = setTimeout(() => resolve({ state: 'pending' }), ms);
  });
  const settled = promise.then(
    (value): Settlement<T> => ({ state: 'resolved', value }),
    (error: unknown): Settlement<T> => ({ state: 'rejected', error }),
  );
  try {
    return await Promise.race([settled, pending]);
  } finally {
    clearTimeout(timer);
  }
}

/** True once `condition()` holds, polling every 20 ms for at most `ms`. */
export async function eventually(condition: () => boolean, ms: number): Promise<boolean> {
  for (const deadline = Date.now() + ms; Date.now() < deadline; ) {
    if (condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return condition();
}

/** The error's code and message in one line, for failure messages. */
export function describeOutcome(outcome: Settlement<unknown>): string {
  if (outcome.state === 'pending') return 'it is still pending';
  if (outcome.state === 'resolved') return `it resolved with ${JSON.stringify(outcome.value)}`;
  const error = outcome.error as { code?: unknown; message?: unknown; name?: unknown };
  return `it rejected with ${typeof error?.code === 'string' ? `"${error.code}"` : String(error?.name)}: ${String(error?.message)}`;
}

/** Asserts the settlement is a rejection with `code`; `what` says which call and `fix` what to do. */
export function assertRejectedWith(outcome: Settlement<unknown>, code: string, what: string, fix: string): void {
  const actual = outcome.state === 'rejected' ? (outcome.error as { code?: unknown })?.code : undefined;
  assert.ok(actual === code, `${what}: expected a "${code}" rejection, but ${describeOutcome(outcome)}. ${fix}`);
}
