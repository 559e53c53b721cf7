/**
 * The client's reader of one output stream: offset tracking, resume after a cut connection,
 * paced acknowledgements, single consumer, and decoding (bytes, UTF-8 text, lines).
 */
import type { StreamReader } from '../api.js';
import { concatBytes } from '../bytes.js';
import { ErrorCode, ProcwireError } from '../errors.js';
import type { OutputFd, Transport } from '../transport/contract.js';
import { ByteIterator, TextIterator } from './output-iterators.js';
import type { RetryPolicy } from './retry.js';

/** How the user asked for a stream: read it, discard it at the host, or copy it to stdout. */
export type ReaderMode = 'pipe' | 'devnull' | 'stdout';

/** Where a reader's bytes come from. */
export interface OutputSource {
  readonly transport: Transport;
  readonly processId: string;
  readonly fd: OutputFd;
  /** The first offset to read: 0 for a new process, the host's `acknowledged` (or `replayFrom`) on re-attach. */
  readonly startOffset: number;
  readonly retry: RetryPolicy;
  /** Turns a failure of the host into the one the user sees (default: as it is). */
  readonly mapError?: (error: unknown) => unknown;
  /** Told each offset handed to the consumer (the client remembers it for a later `get`). */
  readonly onDelivered?: (offset: number) => void;
  /** The host's output window (`ProcessInfo.outputWindowBytes`): acks are paced by a quarter of it. */
  readonly windowBytes: number;
  /** Where the reader registers while it holds an ack back, so `client.close()` can send it. */
  readonly heldAcks: Set<{ flushAcks(): Promise<void> }>;
}

/** How long a small ack is held back, joining the later ones into it. */
export const idleAckDelayMs = 3;

/** How chunks are handed to the consumer. */
export interface Decoding {
  readonly text: boolean;
  readonly byLine: boolean;
}

const streamNames = { 1: 'stdout', 2: 'stderr' } as const;

/** A {@link StreamReader} over any transport. */
export class OutputReader<T extends string | Uint8Array> implements StreamReader<T> {
  readonly fileDescriptor: OutputFd;
  private readonly name: string;
  private consumer: string | undefined;
  /** Everything before this offset has been handed to the consumer. */
  private offset: number;
  /** The latest offset to acknowledge, and the one last sent (one ack in flight at most). */
  private ackTarget: number;
  private ackSent: number;
  private ackInFlight = false;
  /** The offset of the ack in flight. */
  private ackSending = 0;
  /** Sends a held (small) ack once it has waited {@link idleAckDelayMs}. */
  private ackTimer: ReturnType<typeof setTimeout> | undefined;
  /** The ack in flight, settled (never rejected) when the host answered. */
  private ackPromise: Promise<void> | undefined;

  constructor(
    private readonly source: OutputSource,
    private readonly mode: ReaderMode,
    private readonly decoding: Decoding,
  ) {
    this.fileDescriptor = source.fd;
    this.name = streamNames[source.fd];
    this.offset = source.startOffset;
    this.ackTarget = source.startOffset;
    this.ackSent = source.startOffset;
  }

  /** True when the user may read this stream (it is `StreamType.PIPE`). */
  get readable(): boolean {
    return this.mode === 'pipe';
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    this.claim('an async iteration');
    return this.decode(this.chunks());
  }

  async read(): Promise<T> {
    this.claim('read()');
    const parts: T[] = [];
    for await (const part of this.decode(this.chunks())) parts.push(part);
    if (this.decoding.text) return parts.join('') as T;
    return concatBytes(parts as Uint8Array[]) as T;
  }

  toReadableStream(): ReadableStream<T> {
    this.claim('toReadableStream()');
    const iterator = this.decode(this.chunks());
    // highWaterMark 0: nothing is read from the host until the stream's reader asks for it.
    return new ReadableStream<T>(
      {
        async pull(controller) {
          const next = await iterator.next();
          if (next.done) controller.close();
          else controller.enqueue(next.value);
        },
        async cancel() {
          await iterator.return?.();
        },
      },
      { highWaterMark: 0 },
    );
  }

  /**
   * For the client itself (the `StreamType.STDOUT` copy, `attach()`): the raw bytes, whatever the
   * stream's mode and decoding. Claims the stream like any consumer.
   */
  consumeBytes(purpose: string, signal?: AbortSignal): AsyncIterableIterator<Uint8Array> {
    if (this.mode === 'devnull') throw this.modeError();
    if (this.consumer !== undefined) throw this.consumedError();
    this.consumer = purpose;
    return this.chunks(signal);
  }

  private claim(purpose: string): void {
    if (this.mode !== 'pipe') throw this.modeError();
    if (this.consumer !== undefined) throw this.consumedError();
    this.consumer = purpose;
  }

  private modeError(): ProcwireError {
    const why =
      this.mode === 'devnull'
        ? 'StreamType.DEVNULL: the host discards it, so there is nothing to read'
        : 'StreamType.STDOUT: the client copies it to its own standard output, so it cannot be read';
    return new ProcwireError(ErrorCode.InvalidArgument, `${this.name} was started with ${why}`, {
      processId: this.source.processId,
    });
  }

  private consumedError(): ProcwireError {
    return new ProcwireError(
      ErrorCode.StreamConsumed,
      `${this.name} already has a consumer (${this.consumer}): a stream can be read once, by one consumer`,
      { processId: this.source.processId },
    );
  }

  /** The stream's bytes from `offset` to EOF, one host chunk per `next()`. */
  private chunks(signal?: AbortSignal): ByteIterator {
    return new ByteIterator(
      {
        transport: this.source.transport,
        processId: this.source.processId,
        fd: this.source.fd,
        name: this.name,
        retry: this.source.retry,
        mapError: this.source.mapError ?? ((error) => error),
        offset: () => this.offset,
        delivered: (offset) => {
          this.offset = offset;
          this.source.onDelivered?.(offset);
          // Handed to the consumer now: let the host free it (and so let the process go on).
          this.acknowledge(offset);
        },
      },
      signal,
    );
  }

  /**
   * Paced acknowledgements, one in flight at most, always for the latest offset. The host pauses
   * the process once the unacknowledged bytes reach its window, so an ack
   * that frees a quarter of the window goes out at once (the host never waits for one while data
   * flows); a smaller one is held {@link idleAckDelayMs} and joined with the later ones (an ack
   * is a message each way on a network transport; a terminal's echo would cost one per keystroke).
   */
  private acknowledge(offset: number): void {
    if (offset > this.ackTarget) this.ackTarget = offset;
    if (this.ackInFlight || this.ackTarget <= this.ackSent) return;
    if (this.ackTarget - this.ackSent >= this.source.windowBytes / 4) this.sendAck();
    else this.holdAck();
  }

  /** Sends the held ack now; resolves once no ack of this reader is in flight. */
  async flushAcks(): Promise<void> {
    if (this.ackTimer !== undefined) this.sendAck();
    while (this.ackPromise !== undefined) await this.ackPromise;
  }

  private holdAck(): void {
    if (this.ackTimer !== undefined) return;
    this.source.heldAcks.add(this);
    this.ackTimer = setTimeout(() => {
      this.ackTimer = undefined;
      if (!this.ackInFlight && this.ackTarget > this.ackSent) this.sendAck();
      else this.source.heldAcks.delete(this);
    }, idleAckDelayMs);
    // A held ack is no reason to keep Node running: client.close() sends it. (A browser's timer
    // is a number, without unref.)
    (this.ackTimer as { unref?: () => void }).unref?.();
  }

  // Written with callbacks, not as an async loop: an ack may be sent for nearly every chunk, and
  // the loop's promises were a fifth of the client's allocations per chunk on the local host.
  private sendAck(): void {
    if (this.ackTimer !== undefined) {
      clearTimeout(this.ackTimer);
      this.ackTimer = undefined;
    }
    const { transport, processId, fd } = this.source;
    this.source.heldAcks.add(this);
    this.ackInFlight = true;
    this.ackSending = this.ackTarget;
    let sent: Promise<void>;
    try {
      sent = transport.ackOutput({ processId, fd, offset: this.ackSending });
    } catch {
      sent = Promise.resolve();
    }
    // An ack is advisory: a lost one is covered by the next ack or by the next read's offset, and
    // a real failure (process gone, transport closed) surfaces on the read path.
    this.ackPromise = sent.then(this.ackSettled, this.ackSettled);
  }

  private readonly ackSettled = (): void => {
    this.ackSent = this.ackSending;
    this.ackInFlight = false;
    this.ackPromise = undefined;
    if (this.ackTarget - this.ackSent >= this.source.windowBytes / 4) this.sendAck();
    else if (this.ackTarget > this.ackSent) this.holdAck();
    else this.source.heldAcks.delete(this);
  };

  private decode(bytes: ByteIterator): AsyncIterableIterator<T> {
    if (!this.decoding.text) return bytes as AsyncIterableIterator<Uint8Array> as AsyncIterableIterator<T>;
    return new TextIterator(bytes, this.decoding.byLine) as AsyncIterableIterator<string> as AsyncIterableIterator<T>;
  }
}
