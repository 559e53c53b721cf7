/**
 * OutputWindow: the host side of one offset-addressed output stream, for host transports
 * (`localTransport`, `memoryTransport`, or yours). It keeps every byte not yet acknowledged, serves
 * reads from any retained offset, and tells its source to pause when the unacknowledged bytes reach
 * the window (and to resume when an acknowledgement makes room). Memory stays bounded by the window
 * plus one source chunk (plus what it borrowed from an {@link OutputPool} while read); nothing is
 * dropped. With `replayBytes` it also keeps a tail of acknowledged
 * output (whole chunks, at least the last `replayBytes`) that readers may start in again: what a
 * user re-attaching to a shell expects to see first.
 */
import { concatBytes } from '../bytes.js';
import { ErrorCode, ProcwireError } from '../errors.js';
import type { OutputChunk, OutputMode, OutputStreamInfo } from './contract.js';
import type { OutputPool } from './output-pool.js';

/** Options of an {@link OutputWindow}. */
export interface OutputWindowOptions {
  /** The most unacknowledged bytes kept before the source is paused. */
  readonly windowBytes: number;
  /** Called when the window fills: stop reading from the process. */
  readonly pause?: () => void;
  /** Called when an acknowledgement made room again: go on reading. */
  readonly resume?: () => void;
  /**
   * Keep (whole chunks covering) at least the last this many acknowledged bytes, readable again
   * from {@link OutputWindow.replayFrom}. Pausing still depends only on unacknowledged bytes;
   * memory stays below `windowBytes + replayBytes` plus two source chunks. Default 0: acknowledged
   * bytes are freed at once and a read before `acknowledged` is `out_of_range`.
   */
  readonly replayBytes?: number;
  /** `'devnull'` windows discard everything and refuse reads. Default `'pipe'`. */
  readonly mode?: OutputMode;
  /** For error messages: e.g. `'stdout'`. */
  readonly name?: string;
  /**
   * Where the window borrows room past `windowBytes` while a reader reads it (see
   * {@link OutputPool}), up to `burstBytes` unacknowledged bytes in all. Without it, or with a
   * `burstBytes` not above `windowBytes`, the window never borrows.
   */
  readonly pool?: OutputPool;
  /** The most unacknowledged bytes kept with borrowed room. Default `windowBytes`. */
  readonly burstBytes?: number;
}

const EMPTY = new Uint8Array(0);
const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };
/** Chunks smaller than this are joined with the ones after them when read. */
const COALESCE_BELOW = 16 * 1024;
/** Joined reads stay below this size. */
const COALESCE_MAX = 64 * 1024;

/**
 * One offset-addressed output stream on a host: `push` what the process writes, `end` at EOF,
 * serve `readOutput` with `read` and `ackOutput` with `acknowledge`.
 */
export class OutputWindow {
  /** The most unacknowledged bytes kept before the source is told to pause. */
  readonly windowBytes: number;
  /** The acknowledged bytes kept for readers that start over (see {@link OutputWindowOptions.replayBytes}). */
  readonly replayBytes: number;
  /** `'pipe'` keeps bytes for readers; `'devnull'` counts and discards them. */
  readonly mode: OutputMode;
  private readonly name: string;
  private readonly pauseSource: () => void;
  private readonly resumeSource: () => void;
  private readonly pool: OutputPool | undefined;
  /** The most this window borrows from the pool. */
  private readonly maxLoan: number;
  /** Room borrowed from the pool now: the source is paused at `windowBytes + loan`. */
  private loan = 0;
  /** Reads started and not finished: only a stream being read borrows. */
  private reading = 0;
  /**
   * Retained chunks at indexes `head` to `tail - 1`, in order; `starts[i]` is the offset of
   * `chunks[i]`. The arrays keep their capacity: emptied and compacted in place, never copied
   * (see `acknowledge`).
   */
  private readonly chunks: Uint8Array[] = [];
  private readonly starts: number[] = [];
  private head = 0;
  private tail = 0;
  private firstOffset = 0;
  private acked = 0;
  private total = 0;
  private ended = false;
  private paused = false;
  private waiters: Array<() => void> = [];
  private spareWaiters: Array<() => void> = [];
  private endWaiters: Array<() => void> = [];

  constructor(options: OutputWindowOptions) {
    if (!(options.windowBytes > 0)) throw new RangeError('windowBytes must be positive');
    this.windowBytes = options.windowBytes;
    const replayBytes = options.replayBytes ?? 0;
    if (!Number.isSafeInteger(replayBytes) || replayBytes < 0) {
      throw new RangeError(`replayBytes must be a non-negative integer, got ${replayBytes}`);
    }
    this.replayBytes = replayBytes;
    this.mode = options.mode ?? 'pipe';
    this.name = options.name ?? 'output';
    this.pauseSource = options.pause ?? (() => {});
    this.resumeSource = options.resume ?? (() => {});
    this.pool = options.pool;
    this.maxLoan = options.pool === undefined ? 0 : Math.max(0, (options.burstBytes ?? 0) - this.windowBytes);
  }

  /** Everything before this offset is acknowledged (and freed, but for the replay tail). */
  get acknowledged(): number {
    return this.acked;
  }
  /** The lowest offset a read may start at: `acknowledged`, or lower by the replay tail kept. */
  get replayFrom(): number {
    return this.replayBytes === 0 ? this.acked : this.firstOffset;
  }
  /** Bytes the source has produced so far. */
  get written(): number {
    return this.total;
  }
  /** True once the source ended; `written` is final. */
  get eof(): boolean {
    return this.ended;
  }
  /** Bytes held now (produced and not acknowledged, plus the replay tail). */
  get retainedBytes(): number {
    return this.total - this.firstOffset;
  }
  /** True while the source is told to pause. */
  get isPaused(): boolean {
    return this.paused;
  }
  /** Room borrowed from the pool now, past `windowBytes`. */
  get borrowedBytes(): number {
    return this.loan;
  }

  /** The stream's state for `ProcessInfo.stdout` / `stderr`. */
  info(): OutputStreamInfo {
    const info = { mode: this.mode, acknowledged: this.acked, written: this.total, eof: this.ended };
    // Absent from a window without a replay tail, as from hosts that keep none.
    return this.replayBytes === 0 || this.mode === 'devnull' ? info : { ...info, replayFrom: this.firstOffset };
  }

  /** Append output from the source. Ignored after `end()`; counted but not kept for `devnull`. */
  push(data: Uint8Array): void {
    if (this.ended || data.byteLength === 0) return;
    this.total += data.byteLength;
    if (this.mode === 'devnull') {
      this.acked = this.firstOffset = this.total;
      return;
    }
    this.chunks[this.tail] = data;
    this.starts[this.tail] = this.total - data.byteLength;
    this.tail++;
    if (!this.paused && this.total - this.acked >= this.windowBytes + this.loan && !this.borrow()) {
      this.paused = true;
      this.pauseSource();
    }
    this.wake();
  }

  /**
   * The window is full: borrow all the room it may from the pool if a reader reads it (an unread
   * stream keeps to its own window). True if the unacknowledged bytes now fit.
   */
  private borrow(): boolean {
    if (this.reading === 0 || this.loan >= this.maxLoan) return false;
    this.loan += this.pool!.lend(this.maxLoan - this.loan);
    return this.total - this.acked < this.windowBytes + this.loan;
  }

  /**
   * Gives the borrowed room back to the pool. Called when the reader caught up to within the
   * window, and by the host when it discards the stream (a forgotten process keeps no loan).
   */
  repayLoan(): void {
    if (this.loan === 0) return;
    this.pool!.repay(this.loan);
    this.loan = 0;
    if (!this.paused && this.total - this.acked >= this.windowBytes) {
      this.paused = true;
      this.pauseSource();
    }
  }

  /** The source closed: readers finish after the last byte. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.wake();
    for (const resolve of this.endWaiters.splice(0)) resolve();
  }

  /** Resolves once `end()` was called. */
  whenEnded(): Promise<void> {
    if (this.ended) return Promise.resolve();
    return new Promise((resolve) => this.endWaiters.push(resolve));
  }

  /**
   * Forget everything before `offset`. Lower than before: no-op. Past `written`: `out_of_range`.
   */
  acknowledge(offset: number): void {
    if (!Number.isSafeInteger(offset) || offset < 0) {
      throw new ProcwireError(ErrorCode.InvalidArgument, `${this.name} offset must be a non-negative integer, got ${offset}`);
    }
    if (offset > this.total) {
      throw new ProcwireError(
        ErrorCode.OutOfRange,
        `cannot acknowledge ${this.name} up to offset ${offset}: only ${this.total} bytes were written`,
      );
    }
    if (offset <= this.acked) return;
    this.acked = offset;
    // Free whole chunks that lie entirely before the acknowledged offset, but for the replay tail.
    const keepFrom = offset - this.replayBytes;
    while (this.head < this.tail) {
      const chunk = this.chunks[this.head]!;
      if (this.firstOffset + chunk.byteLength > keepFrom) break;
      this.firstOffset += chunk.byteLength;
      this.chunks[this.head] = EMPTY;
      this.head++;
    }
    // Reuse the arrays' room instead of growing and copying them: copied backing stores (about
    // 20 KiB) lived through two young collections and were promoted, garbage in the old generation
    // that brought more full collections (a local pipe's reader: 6.5-7 per GiB, now 4-6).
    if (this.head === this.tail) {
      // Everything retained is acknowledged (a reader that keeps up): start over at index 0.
      this.head = this.tail = 0;
    } else if (this.head > 1024 && this.head * 2 > this.tail) {
      // Mostly acknowledged: move the rest to the front (the freed slots already hold EMPTY).
      this.chunks.copyWithin(0, this.head, this.tail);
      this.starts.copyWithin(0, this.head, this.tail);
      this.chunks.fill(EMPTY, this.tail - this.head, this.tail);
      this.tail -= this.head;
      this.head = 0;
    }
    if (this.loan > 0 && this.total - this.acked < this.windowBytes) this.repayLoan();
    if (this.paused && this.total - this.acked < this.windowBytes + this.loan) {
      this.paused = false;
      this.resumeSource();
    }
  }

  /**
   * Read from `offset` (which also acknowledges everything before it): yields retained chunks,
   * then new ones as they arrive, and finishes after the last byte at EOF. Behaves as an async
   * generator (checks run at the first `next()`, calls queue, an error ends it), but is written out
   * by hand: it sits on every output chunk's path, and a generator costs promise hops per chunk
   * and a long JIT compile that stalls a 2-core host's first interactive round trips.
   */
  read(offset: number, signal?: AbortSignal): AsyncGenerator<OutputChunk, void, undefined> {
    let position = offset;
    let started = false;
    let finished = false;
    // One abort listener per read, not one per wait: a fast stream waits once per chunk, and an
    // EventTarget listener is several objects. Added at the first wait, removed when the read ends.
    let listening = false;
    let currentWait: { resolve: () => void; reject: (error: unknown) => void } | undefined;
    const onAbort = () => {
      const wait = currentWait;
      currentWait = undefined;
      if (wait === undefined) return;
      this.waiters = this.waiters.filter((waiter) => waiter !== wait.resolve);
      wait.reject(abortedBy(signal!));
    };
    const finish = () => {
      if (started && !finished) this.reading--;
      finished = true;
      if (listening) {
        listening = false;
        signal!.removeEventListener('abort', onAbort);
      }
    };
    const nextEvent = (): Promise<void> =>
      new Promise((resolve, reject) => {
        this.waiters.push(resolve);
        if (signal === undefined) return;
        currentWait = { resolve, reject };
        if (!listening) {
          listening = true;
          signal.addEventListener('abort', onAbort, { once: true });
        }
      });
    // One step: a result now, or `undefined` when the caller must wait for the next push or end.
    const pull = (): IteratorResult<OutputChunk, void> | undefined => {
      if (finished) return DONE;
      currentWait = undefined;
      if (!started) {
        started = true;
        this.reading++;
        if (this.mode === 'devnull') {
          throw new ProcwireError(ErrorCode.InvalidArgument, `${this.name} is DEVNULL: the host discards it`);
        }
        this.checkReadable(offset);
        this.acknowledge(offset);
        // A reader arrives at a stream already paused on its full window (a re-attach): it may
        // borrow now rather than only after its first ack.
        if (this.paused && this.borrow()) {
          this.paused = false;
          this.resumeSource();
        }
      }
      if (signal?.aborted) throw abortedBy(signal);
      if (position < this.replayFrom) {
        throw new ProcwireError(
          ErrorCode.OutOfRange,
          `${this.name} bytes from offset ${position} were acknowledged by another reader and are gone`,
        );
      }
      const data = this.sliceAt(position);
      if (data !== undefined) {
        const value = { offset: position, data };
        position += data.byteLength;
        return { done: false, value };
      }
      if (this.ended) {
        finish();
        return DONE;
      }
      return undefined;
    };
    /** `next()` calls that had to wait and have not been answered yet; `last` is the latest. */
    let waiting = 0;
    let last: Promise<IteratorResult<OutputChunk, void>> = Promise.resolve(DONE);
    // After a push or the end: the answer itself (no promise to adopt, which costs two more
    // microtask hops per chunk), or a promise when there is still nothing to read.
    const afterEvent = (): IteratorResult<OutputChunk, void> | Promise<IteratorResult<OutputChunk, void>> => {
      let result: IteratorResult<OutputChunk, void> | undefined;
      try {
        result = pull();
      } catch (error) {
        return failWaiting(error);
      }
      if (result === undefined) return nextEvent().then(afterEvent, failWaiting);
      waiting--;
      return result;
    };
    const failWaiting = (error: unknown): never => {
      finish();
      waiting--;
      throw error;
    };
    const iterator: AsyncGenerator<OutputChunk, void, undefined> = {
      next: () => {
        // Calls made while one waits run after it, in order (the queue an async generator keeps).
        if (waiting > 0) {
          waiting++;
          last = last.then(afterEvent, afterEvent);
          return last;
        }
        let result: IteratorResult<OutputChunk, void> | undefined;
        try {
          result = pull();
        } catch (error) {
          finish();
          return Promise.reject(error);
        }
        if (result !== undefined) return Promise.resolve(result);
        waiting++;
        last = nextEvent().then(afterEvent, failWaiting);
        return last;
      },
      return: async () => {
        finish();
        return DONE;
      },
      throw: async (error: unknown) => {
        finish();
        throw error;
      },
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }

  private checkReadable(offset: number): void {
    if (!Number.isSafeInteger(offset) || offset < 0) {
      throw new ProcwireError(ErrorCode.InvalidArgument, `${this.name} offset must be a non-negative integer, got ${offset}`);
    }
    if (offset < this.replayFrom) {
      throw new ProcwireError(
        ErrorCode.OutOfRange,
        this.replayBytes === 0
          ? `${this.name} offset ${offset} is before the acknowledged offset ${this.acked}: those bytes are gone`
          : `${this.name} offset ${offset} is before the replay tail kept from offset ${this.firstOffset}: those bytes are gone`,
      );
    }
    if (offset > this.total) {
      throw new ProcwireError(
        ErrorCode.OutOfRange,
        `${this.name} offset ${offset} is past the ${this.total} bytes written so far`,
      );
    }
  }

  /**
   * The retained bytes starting at `position`: the rest of the chunk that holds it, joined with the
   * chunks after it while they are small (a pty or a chatty process makes many tiny chunks, and
   * each chunk read costs a message on a network transport).
   */
  private sliceAt(position: number): Uint8Array | undefined {
    if (position >= this.total) return undefined;
    const index = this.indexOf(position);
    const first = this.chunks[index]!;
    const from = position - this.starts[index]!;
    if (first.byteLength - from >= COALESCE_BELOW || index + 1 === this.tail) {
      return from === 0 ? first : first.subarray(from);
    }
    const parts: Uint8Array[] = [first.subarray(from)];
    let size = parts[0]!.byteLength;
    for (let i = index + 1; i < this.tail && size < COALESCE_BELOW; i++) {
      const next = this.chunks[i]!;
      if (size + next.byteLength > COALESCE_MAX) break;
      parts.push(next);
      size += next.byteLength;
    }
    return concatBytes(parts);
  }

  /** Index of the retained chunk holding `position` (binary search over `starts`). */
  private indexOf(position: number): number {
    let low = this.head;
    let high = this.tail - 1;
    while (low < high) {
      const middle = (low + high + 1) >>> 1;
      if (this.starts[middle]! <= position) low = middle;
      else high = middle - 1;
    }
    return low;
  }

  private wake(): void {
    // Called on every push: allocate nothing, whether a reader waits or not (two arrays take turns).
    if (this.waiters.length === 0) return;
    const waiters = this.waiters;
    this.waiters = this.spareWaiters;
    this.spareWaiters = waiters;
    // Resolving runs no code now (only queues it), so no waiter is added to `waiters` meanwhile.
    for (const resolve of waiters) resolve();
    waiters.length = 0;
  }
}

/** The error a read ends with when its call's signal fires: always `aborted`, whatever the reason. */
function abortedBy(signal: AbortSignal): ProcwireError {
  const reason: unknown = signal.reason;
  if (reason instanceof ProcwireError) return reason;
  return new ProcwireError(ErrorCode.Aborted, 'the read was aborted', { cause: reason });
}
