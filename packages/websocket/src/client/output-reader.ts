/**
 * The client side of one read: an async iterator over output chunks with credit flow control.
 * The server may run at most `windowBytes` ahead of what the consumer has taken; each time the
 * consumer has taken a quarter window, a `Credit` frame lets the server go on. So a slow consumer
 * makes the server stop pulling output (and the host's window then pauses the process), and the
 * client never buffers more than one window.
 */
import type { OutputChunk, OutputFd } from '@procwire/core/transport';
import { ErrorCode, ProcwireError } from '@procwire/core/transport';
import { decodeError, encodeAddressedFrame, encodeFrame, type Frame, FrameType } from '../wire/index.js';
import type { WireConnection } from './wire-connection.js';

/** What a read needs besides its connection. */
export interface OutputReadTarget {
  readonly processId: string;
  readonly fd: OutputFd;
  readonly offset: number;
  readonly windowBytes: number;
  readonly signal?: AbortSignal;
}

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

export class OutputReader implements AsyncIterator<OutputChunk, undefined> {
  private connection: WireConnection | undefined;
  private callId = 0;
  private readonly queue: OutputChunk[] = [];
  private queueHead = 0;
  /** Offset the next received chunk must start at. */
  private expected: number;
  /** Offset just past what the consumer has taken. */
  private consumed: number;
  /** Offset last granted to the server by a `Credit`. */
  private credited: number;
  private ended = false;
  private failure: ProcwireError | undefined;
  private finished = false;
  private wake: (() => void) | undefined;
  private readonly onAbort = () => this.fail(abortError(this.target.signal));

  constructor(
    private readonly connect: () => Promise<WireConnection>,
    private readonly target: OutputReadTarget,
  ) {
    this.expected = this.consumed = this.credited = target.offset;
  }

  async next(): Promise<IteratorResult<OutputChunk, undefined>> {
    if (this.finished) return DONE;
    if (this.connection === undefined) await this.start();
    for (;;) {
      if (this.queueHead < this.queue.length) return { done: false, value: this.take() };
      if (this.failure !== undefined) {
        this.finish();
        throw this.failure;
      }
      if (this.ended) {
        this.finish();
        return DONE;
      }
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
      if (this.finished) return DONE;
    }
  }

  async return(): Promise<IteratorResult<OutputChunk, undefined>> {
    if (!this.finished && this.connection !== undefined && !this.ended && this.failure === undefined) {
      this.connection.unregister(this.callId);
      this.connection.send(encodeFrame({ type: FrameType.Cancel, callId: this.callId }));
    }
    this.finish();
    this.notify();
    return DONE;
  }

  private async start(): Promise<void> {
    const { signal } = this.target;
    if (signal?.aborted) throw abortError(signal);
    const connection = await this.connect();
    if (signal?.aborted) throw abortError(signal);
    this.connection = connection;
    this.callId = connection.register({
      onFrame: (frame) => this.receive(frame),
      onGone: (error) => this.fail(error),
    });
    const { frame, rest } = encodeAddressedFrame(
      { type: FrameType.Read, callId: this.callId, fd: this.target.fd, offset: this.target.offset },
      this.target.processId,
      4,
    );
    new DataView(rest.buffer, rest.byteOffset, 4).setUint32(0, this.target.windowBytes);
    connection.send(frame);
    signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  private take(): OutputChunk {
    const chunk = this.queue[this.queueHead]!;
    this.queue[this.queueHead++] = undefined as unknown as OutputChunk;
    if (this.queueHead > 64 && this.queueHead * 2 > this.queue.length) {
      this.queue.splice(0, this.queueHead);
      this.queueHead = 0;
    }
    this.consumed = chunk.offset + chunk.data.byteLength;
    if (!this.ended && this.failure === undefined && this.consumed - this.credited >= this.target.windowBytes / 4) {
      this.credited = this.consumed;
      this.connection?.send(encodeFrame({ type: FrameType.Credit, callId: this.callId, offset: this.consumed }));
    }
    return chunk;
  }

  private receive(frame: Frame): void {
    switch (frame.type) {
      case FrameType.Output:
        if (frame.offset !== this.expected || frame.payload.byteLength === 0) {
          this.protocolError(`output at offset ${frame.offset}, expected ${this.expected} and a non-empty chunk`);
          return;
        }
        this.expected += frame.payload.byteLength;
        this.queue.push({ offset: frame.offset, data: frame.payload });
        break;
      case FrameType.End:
        if (frame.offset !== this.expected) {
          this.protocolError(`end of output at offset ${frame.offset}, expected ${this.expected}`);
          return;
        }
        this.connection?.unregister(this.callId);
        this.ended = true;
        break;
      case FrameType.Error:
        this.connection?.unregister(this.callId);
        this.failure ??= decodeError(frame.payload);
        break;
      default:
        this.protocolError(`unexpected frame type 0x${frame.type.toString(16)} for a read`);
        return;
    }
    this.notify();
  }

  private protocolError(message: string): void {
    this.connection?.close(new ProcwireError(ErrorCode.Unavailable, `server broke procwire.v1: ${message}`));
  }

  private fail(error: ProcwireError): void {
    if (this.failure !== undefined || this.ended) return;
    if (error.code === ErrorCode.Aborted && this.connection !== undefined) {
      this.connection.unregister(this.callId);
      this.connection.send(encodeFrame({ type: FrameType.Cancel, callId: this.callId }));
    }
    this.failure = error;
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  private finish(): void {
    this.finished = true;
    this.target.signal?.removeEventListener('abort', this.onAbort);
    this.queue.length = 0;
    this.queueHead = 0;
  }
}

/** The `aborted` error for an AbortSignal. */
export function abortError(signal: AbortSignal | undefined): ProcwireError {
  return ProcwireError.from(signal?.reason ?? new DOMException('The operation was aborted', 'AbortError'), ErrorCode.Aborted);
}
