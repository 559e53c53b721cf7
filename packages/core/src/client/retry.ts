/**
 * Retries of transient failures: every transport call the client makes goes through here, so a
 * cut connection is retried the same way for every transport.
 */
import { ErrorCode, isProcwireError, ProcwireError } from '../errors.js';

/** How the client retries `unavailable` failures. */
export interface RetryPolicy {
  /** Give up after this long without progress, in milliseconds. */
  readonly retryTimeoutMs: number;
  /** Told about each retry (for logs). */
  readonly onRetry?: ((error: unknown, attempt: number) => void) | undefined;
}

const FIRST_DELAY_MS = 50;
const MAX_DELAY_MS = 2000;

/**
 * Exponential backoff from 50 ms to 2 s with jitter, bounded by the policy's total time without
 * progress. A stream that made progress calls `reset()`, and an attempt that stayed connected
 * longer than the whole budget (a long `wait()`, a read of a quiet process) counts as progress, so
 * a call that is cut every few minutes is retried every time, while a host that stays unreachable
 * is given up on after `retryTimeoutMs`.
 */
export class Backoff {
  private attempt = 0;
  private startedAt: number | undefined;
  private attemptStartedAt = 0;

  constructor(private readonly policy: RetryPolicy) {}

  /** Forget earlier failures (call after progress). */
  reset(): void {
    this.attempt = 0;
    this.startedAt = undefined;
  }

  /** Call as each attempt starts. */
  begin(): void {
    this.attemptStartedAt = Date.now();
  }

  /**
   * After a failure: rethrows it unless it is `unavailable` and time remains, else waits the next
   * delay (rejecting with `aborted` if `signal` fires).
   */
  async failed(error: unknown, signal?: AbortSignal): Promise<void> {
    if (!isProcwireError(error, ErrorCode.Unavailable)) throw error;
    const now = Date.now();
    if (now - this.attemptStartedAt >= this.policy.retryTimeoutMs) this.reset();
    this.startedAt ??= now;
    const remaining = this.startedAt + this.policy.retryTimeoutMs - now;
    if (remaining <= 0) throw error;
    this.attempt++;
    this.policy.onRetry?.(error, this.attempt);
    const ceiling = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** (this.attempt - 1));
    // "Equal jitter": at least half the delay, so retries never hammer a host that is down.
    const delay = Math.min(remaining, ceiling / 2 + Math.random() * (ceiling / 2));
    await sleep(delay, signal);
  }
}

/** Runs `operation`, retrying `unavailable` failures under `policy`. */
export async function withRetry<T>(
  policy: RetryPolicy,
  operation: () => Promise<T>,
  signal?: AbortSignal,
): Promise<T> {
  const backoff = new Backoff(policy);
  for (;;) {
    backoff.begin();
    try {
      return await operation();
    } catch (error) {
      await backoff.failed(error, signal);
    }
  }
}

/** Resolves after `ms`, or rejects with `aborted` when `signal` fires first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortError(signal));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError(signal!));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The `ProcwireError` for an aborted signal (its reason when that is a procwire error). */
export function abortError(signal: AbortSignal, message = 'The operation was aborted'): ProcwireError {
  const reason: unknown = signal.reason;
  if (reason instanceof ProcwireError) return reason;
  return new ProcwireError(ErrorCode.Aborted, message, { cause: reason });
}
