/**
 * The output reader's hot path, written as plain async iterators rather than async generators:
 * every output chunk passes through here, and a generator layer costs promise hops per chunk and a
 * long JIT compile that a 2-core host feels (see OutputWindow.read for the same choice).
 *
 * Both iterators behave as generators do: `next()` calls made while one is pending run after it,
 * in order; after an error or the end, `next()` answers done.
 */
import { ErrorCode, ProcwireError } from '../errors.js';
import type { OutputChunk, OutputFd, Transport } from '../transport/contract.js';
import { abortError, Backoff, type RetryPolicy } from './retry.js';

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

/**
 * The queue an async generator keeps: a `next()` made while another is unanswered runs after it.
 * A subclass's `pull` makes one answer and calls `settled` exactly once on its way out (with the
 * result, or before it throws); a `pull` that must read again calls itself, not `next()`.
 */
abstract class QueuedIterator<T> implements AsyncIterableIterator<T> {
  /** `next()` calls not answered yet; past one, a call waits for the one before it. */
  private calls = 0;
  private last: Promise<IteratorResult<T, undefined>> = Promise.resolve(DONE);

  protected abstract readonly pull: () => Promise<IteratorResult<T, undefined>>;
  abstract return(): Promise<IteratorResult<T, undefined>>;

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<T, undefined>> {
    this.last = this.calls++ > 0 ? this.last.then(this.pull, this.pull) : this.pull();
    return this.last;
  }

  /** One `next()` is answered (or failed): pass its result through. */
  protected settled<R>(result: R): R {
    this.calls--;
    return result;
  }
}

/** Where a byte iterator reads from, and what it tells its owner. */
export interface ChunkSource {
  readonly transport: Transport;
  readonly processId: string;
  readonly fd: OutputFd;
  readonly name: string;
  readonly retry: RetryPolicy;
  /** Turns a failure of the host into the one the user sees (e.g. `not_found` -> `process_lost`). */
  readonly mapError: (error: unknown) => unknown;
  /** The offset of the next byte the consumer has not been given. */
  offset(): number;
  /** The consumer was given bytes up to `offset`. */
  delivered(offset: number): void;
}

/**
 * A stream's bytes from the source's offset to EOF: one host chunk per `next()` (no read-ahead),
 * duplicates after a reconnect dropped, and a read that fails with `unavailable` resumed from the
 * offset the consumer has, after a backoff, so nothing is lost or duplicated.
 */
export class ByteIterator extends QueuedIterator<Uint8Array> {
  private upstream: AsyncIterator<OutputChunk, unknown, undefined> | undefined;
  private readonly backoff: Backoff;
  private finished = false;

  constructor(
    private readonly source: ChunkSource,
    private readonly signal?: AbortSignal,
  ) {
    super();
    this.backoff = new Backoff(source.retry);
  }

  async return(): Promise<IteratorResult<Uint8Array, undefined>> {
    this.finished = true;
    const upstream = this.upstream;
    this.upstream = undefined;
    await upstream?.return?.();
    return DONE;
  }

  protected readonly pull = (): Promise<IteratorResult<Uint8Array, undefined>> => {
    if (this.finished) return Promise.resolve(this.settled(DONE));
    let upstream = this.upstream;
    if (upstream === undefined) {
      const { transport, processId, fd } = this.source;
      this.backoff.begin();
      try {
        const request = { processId, fd, offset: this.source.offset() };
        const options = this.signal === undefined ? {} : { signal: this.signal };
        upstream = transport.readOutput(request, options)[Symbol.asyncIterator]();
        this.upstream = upstream;
      } catch (error) {
        return this.failed(error);
      }
    }
    return upstream.next().then(this.received, this.failed);
  };

  private readonly received = (
    result: IteratorResult<OutputChunk, unknown>,
  ): IteratorResult<Uint8Array, undefined> | Promise<IteratorResult<Uint8Array, undefined>> => {
    if (result.done === true) {
      this.finished = true;
      this.upstream = undefined;
      return this.settled(DONE);
    }
    const chunk = result.value;
    const offset = this.source.offset();
    if (chunk.offset > offset) {
      return this.end(
        new ProcwireError(
          ErrorCode.Internal,
          `the transport skipped ${this.source.name} bytes: expected offset ${offset}, got ${chunk.offset}`,
          { processId: this.source.processId },
        ),
      );
    }
    // A transport may repeat bytes we have after a reconnect; keep each byte once.
    const skip = offset - chunk.offset;
    if (skip >= chunk.data.byteLength) return this.pull();
    const data = skip === 0 ? chunk.data : chunk.data.subarray(skip);
    this.backoff.reset();
    this.source.delivered(offset + data.byteLength);
    return this.settled({ done: false, value: data });
  };

  private readonly failed = (error: unknown): Promise<IteratorResult<Uint8Array, undefined>> => {
    this.upstream = undefined;
    if (this.signal?.aborted) return this.end(abortError(this.signal));
    return this.backoff.failed(this.source.mapError(error), this.signal).then(this.pull, this.end);
  };

  private readonly end = (error: unknown): Promise<never> => {
    this.finished = true;
    const upstream = this.upstream;
    this.upstream = undefined;
    void upstream?.return?.()?.catch(() => {});
    return Promise.reject(this.settled(error));
  };
}

/**
 * UTF-8 text over a {@link ByteIterator}: each host chunk decoded as it comes (a character split
 * between chunks waits for its end), or, `byLine`, one line per `next()` with its `\n` (the last
 * line without one when the stream does not end with a newline).
 */
export class TextIterator extends QueuedIterator<string> {
  // ignoreBOM keeps a leading U+FEFF: the user gets what the process wrote.
  private readonly decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
  /** byLine: the text after the last complete line. */
  private partial = '';
  private readonly lines: string[] = [];
  private lineIndex = 0;
  private ended = false;

  constructor(
    private readonly bytes: ByteIterator,
    private readonly byLine: boolean,
  ) {
    super();
  }

  async return(): Promise<IteratorResult<string, undefined>> {
    this.ended = true;
    this.lines.length = this.lineIndex = 0;
    await this.bytes.return();
    return DONE;
  }

  protected readonly pull = (): Promise<IteratorResult<string, undefined>> => {
    const queued = this.takeLine();
    if (queued !== undefined) return Promise.resolve(this.answer(queued));
    if (this.ended) return Promise.resolve(this.answer(undefined));
    return this.bytes.next().then(this.decoded, this.failed);
  };

  private readonly decoded = (
    result: IteratorResult<Uint8Array, undefined>,
  ): IteratorResult<string, undefined> | Promise<IteratorResult<string, undefined>> => {
    if (result.done === true) {
      this.ended = true;
      const tail = this.partial + this.decoder.decode();
      this.partial = '';
      return this.answer(tail === '' ? undefined : tail);
    }
    const text = this.decoder.decode(result.value, { stream: true });
    if (!this.byLine) return text === '' ? this.pull() : this.answer(text);
    this.splitLines(text);
    const line = this.takeLine();
    return line === undefined ? this.pull() : this.answer(line);
  };

  private readonly failed = (error: unknown): never => {
    this.ended = true;
    throw this.settled(error);
  };

  private splitLines(text: string): void {
    const pending = this.partial + text;
    let start = 0;
    for (let newline = pending.indexOf('\n'); newline !== -1; newline = pending.indexOf('\n', start)) {
      this.lines.push(pending.slice(start, newline + 1));
      start = newline + 1;
    }
    this.partial = pending.slice(start);
  }

  private takeLine(): string | undefined {
    if (this.lineIndex === this.lines.length) return undefined;
    const line = this.lines[this.lineIndex++]!;
    if (this.lineIndex === this.lines.length) this.lines.length = this.lineIndex = 0;
    return line;
  }

  private answer(text: string | undefined): IteratorResult<string, undefined> {
    return this.settled(text === undefined ? DONE : { done: false, value: text });
  }
}
