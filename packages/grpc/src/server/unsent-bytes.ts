/**
 * Counts the bytes a server stream has written but HTTP/2 has not sent yet. grpc-js measures its
 * write buffer in messages (16 before `write()` returns false), which at 1 MiB per message would
 * let one slow reader hold 16 MiB on the server; this bounds it in bytes instead.
 */
import { ErrorCode, ProcwireError } from '@procwire/core/transport';

export class UnsentBytes {
  private unsent = 0;
  private wake: (() => void) | undefined;

  /** @param limit writers wait while more than this many bytes are unsent */
  constructor(private readonly limit: number) {}

  /** Counts `size` bytes as written; returns the callback to pass to `write()` (called once sent). */
  add(size: number): () => void {
    this.unsent += size;
    return () => {
      this.unsent -= size;
      if (this.unsent <= this.limit) this.wake?.();
    };
  }

  /** Resolves once at most `limit` bytes are unsent; rejects with `aborted` when `signal` aborts. */
  async belowLimit(signal: AbortSignal): Promise<void> {
    while (this.unsent > this.limit) {
      signal.throwIfAborted();
      await new Promise<void>((resolve, reject) => {
        const onAbort = () => reject(new ProcwireError(ErrorCode.Aborted, 'the call ended while output was being sent'));
        this.wake = () => {
          this.wake = undefined;
          signal.removeEventListener('abort', onAbort);
          resolve();
        };
        signal.addEventListener('abort', onAbort, { once: true });
      });
    }
  }
}
