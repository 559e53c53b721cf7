/**
 * InputCursor: the host side of offset-addressed stdin. It decides which bytes of a write are new,
 * so a retried or overlapping write applies each byte exactly once, and a gap is refused.
 */
import { ErrorCode, ProcwireError } from '../errors.js';
import type { InputStreamInfo, WriteInputRequest } from './contract.js';

/** The part of a write the host has not seen yet. */
export interface FreshInput {
  /** New bytes to hand to the process (may be empty). */
  readonly data: Uint8Array;
  /** True when this write closes stdin for the first time. */
  readonly eof: boolean;
}

/**
 * A host's stdin position: which bytes of each offset-addressed write are new, and whether EOF was
 * accepted. Hand only `accept()`'s fresh bytes to the process.
 */
export class InputCursor {
  private position = 0;
  private closed = false;

  /** Bytes accepted so far. */
  get offset(): number {
    return this.position;
  }
  /** True once EOF was accepted. */
  get eof(): boolean {
    return this.closed;
  }

  /** The input state for `ProcessInfo.stdin` and `WriteInputResult`. */
  info(): InputStreamInfo {
    return { offset: this.position, eof: this.closed };
  }

  /**
   * Accept a write: returns the bytes not seen before and advances the cursor past them. Throws
   * `out_of_range` for a gap and `failed_precondition` for new bytes after EOF.
   */
  accept(request: Pick<WriteInputRequest, 'offset' | 'data' | 'eof'>): FreshInput {
    const { offset, data } = request;
    if (!Number.isSafeInteger(offset) || offset < 0) {
      throw new ProcwireError(ErrorCode.InvalidArgument, `stdin offset must be a non-negative integer, got ${offset}`);
    }
    if (offset > this.position) {
      throw new ProcwireError(
        ErrorCode.OutOfRange,
        `stdin write at offset ${offset} leaves a gap: the host has ${this.position} bytes`,
      );
    }
    const end = offset + data.byteLength;
    const fresh = end > this.position ? data.subarray(this.position - offset) : data.subarray(0, 0);
    if (this.closed) {
      if (fresh.byteLength > 0) {
        throw new ProcwireError(ErrorCode.FailedPrecondition, 'stdin is closed: cannot write after EOF');
      }
      return { data: fresh, eof: false };
    }
    this.position += fresh.byteLength;
    if (request.eof && end >= this.position) {
      this.closed = true;
      return { data: fresh, eof: true };
    }
    return { data: fresh, eof: false };
  }
}
