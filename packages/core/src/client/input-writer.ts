/**
 * The client's writer of a process's stdin: synchronous buffered `write()`, a background pump that
 * sends one offset-addressed chunk at a time (its await is the backpressure), resend from the last
 * confirmed offset after a cut connection, and `drain()`.
 */
import type { StreamWriter } from '../api.js';
import { ErrorCode, ProcwireError } from '../errors.js';
import type { Transport } from '../transport/contract.js';
import { ByteQueue } from './byte-queue.js';
import { Backoff, type RetryPolicy } from './retry.js';

/** Where a writer's bytes go. */
export interface InputTarget {
  readonly transport: Transport;
  readonly processId: string;
  /** The host's input offset when the writer was made (0 for a new process). */
  readonly startOffset: number;
  /** True when the host already has EOF (re-attach to a process whose stdin is closed). */
  readonly startEof: boolean;
  readonly retry: RetryPolicy;
}

/** The most unsent bytes `write()` buffers before it throws `resource_exhausted`. */
export const MAX_UNSENT_BYTES = 16 * 1024 * 1024;
/** The largest chunk sent in one `writeInput`. */
export const MAX_INPUT_CHUNK_BYTES = 256 * 1024;
/** `toWritableStream()` waits for a drain once this much is unsent. */
const STREAM_HIGH_WATER_BYTES = 1024 * 1024;

const encoder = new TextEncoder();

/** A {@link StreamWriter} over any transport. */
export class InputWriter implements StreamWriter {
  /** Unsent bytes, in order, starting at offset `confirmed`. */
  private readonly pending = new ByteQueue();
  /** Every byte before this offset was accepted by the host. */
  private confirmed: number;
  private eofRequested: boolean;
  private eofAccepted: boolean;
  private pumping = false;
  private failure: ProcwireError | undefined;
  private waiters: Array<() => void> = [];

  constructor(
    private readonly target: InputTarget,
    private readonly maxUnsentBytes = MAX_UNSENT_BYTES,
  ) {
    this.confirmed = target.startOffset;
    this.eofRequested = target.startEof;
    this.eofAccepted = target.startEof;
  }

  /** Bytes written but not yet accepted by the host. */
  get bufferedBytes(): number {
    return this.pending.size;
  }

  write(data: string | Uint8Array): void {
    if (typeof data !== 'string' && !(data instanceof Uint8Array)) {
      throw new ProcwireError(ErrorCode.InvalidArgument, `stdin.write() takes a string or a Uint8Array, got ${typeof data}`);
    }
    if (this.eofRequested) {
      throw new ProcwireError(ErrorCode.FailedPrecondition, 'stdin is closed: write() after writeEof() is not allowed', {
        processId: this.target.processId,
      });
    }
    if (this.failure !== undefined) throw this.failure;
    const bytes = typeof data === 'string' ? encoder.encode(data) : data;
    if (bytes.byteLength === 0) return;
    if (this.pending.size + bytes.byteLength > this.maxUnsentBytes) {
      throw new ProcwireError(
        ErrorCode.ResourceExhausted,
        `stdin would hold ${this.pending.size + bytes.byteLength} unsent bytes, over its bound of ${this.maxUnsentBytes}: await stdin.drain() before writing more`,
        { processId: this.target.processId },
      );
    }
    // The queue copies: the caller may reuse its buffer as soon as write() returns.
    this.pending.push(bytes);
    this.wake();
  }

  writeEof(): void {
    if (this.eofRequested) return;
    this.eofRequested = true;
    this.wake();
  }

  drain(): Promise<void> {
    return this.until(() => this.pending.size === 0 && (!this.eofRequested || this.eofAccepted));
  }

  toWritableStream(): WritableStream<string | Uint8Array> {
    return new WritableStream<string | Uint8Array>({
      write: async (chunk) => {
        this.write(chunk);
        if (this.pending.size >= STREAM_HIGH_WATER_BYTES) {
          await this.until(() => this.pending.size < STREAM_HIGH_WATER_BYTES / 2);
        }
      },
      close: async () => {
        this.writeEof();
        await this.drain();
      },
    });
  }

  /** Resolves once `condition` holds; rejects with the pump's error. */
  private until(condition: () => boolean): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (this.failure !== undefined) reject(this.failure);
        else if (condition()) resolve();
        else this.waiters.push(check);
      };
      check();
    });
  }

  private notify(): void {
    for (const check of this.waiters.splice(0)) check();
  }

  private wake(): void {
    if (this.pumping || this.failure !== undefined) return;
    this.pumping = true;
    void this.pump();
  }

  private async pump(): Promise<void> {
    const { transport, processId } = this.target;
    const backoff = new Backoff(this.target.retry);
    try {
      while (this.pending.size > 0 || (this.eofRequested && !this.eofAccepted)) {
        const data = this.pending.peek(MAX_INPUT_CHUNK_BYTES);
        const eof = this.eofRequested && data.byteLength === this.pending.size;
        let result: Awaited<ReturnType<Transport['writeInput']>>;
        backoff.begin();
        try {
          result = await transport.writeInput({ processId, offset: this.confirmed, data, eof });
        } catch (error) {
          // The host trims what it already has, so resending from `confirmed` is safe.
          await backoff.failed(error);
          continue;
        }
        backoff.reset();
        const accepted = Math.min(Math.max(result.offset - this.confirmed, 0), this.pending.size);
        if (accepted === 0 && data.byteLength > 0) {
          throw new ProcwireError(ErrorCode.Internal, `the host accepted no stdin bytes at offset ${this.confirmed}`, {
            processId,
          });
        }
        this.pending.drop(accepted);
        this.confirmed += accepted;
        if (eof && accepted === data.byteLength) {
          if (!result.eof) throw new ProcwireError(ErrorCode.Internal, 'the host did not accept stdin EOF', { processId });
          this.eofAccepted = true;
        }
        this.notify();
      }
    } catch (error) {
      this.failure = ProcwireError.from(error);
    } finally {
      this.pumping = false;
      this.notify();
    }
  }
}
