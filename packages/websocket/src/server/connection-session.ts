/**
 * One accepted `procwire.v1` connection: decodes each frame, runs the call it starts against the
 * served transport on behalf of the connection's principal, and answers. Bad frames get an
 * `Error` frame and the connection goes on; only a text frame (1003), an oversized frame (1009,
 * enforced by `ws`) or idleness (4000) close it.
 *
 * Backpressure: a read sends output only while the client has credit for it (its window) and
 * while this socket has fewer than `maxBufferedBytes` queued; otherwise it stops pulling from the
 * transport, whose window then pauses the process.
 *
 * Cost per byte: output ready together is joined into one frame, and every frame a tick sends
 * leaves in one corked write (see `take` and `TickCork`).
 */
import { setMaxListeners } from 'node:events';
import {
  type CallOptions,
  callTransport,
  ConnectionCalls,
  ErrorCode,
  type OutputChunk,
  type OutputFd,
  ownTurn,
  ProcwireError,
  readOutputRequestFrom,
  type StartLimits,
  type Transport,
} from '@procwire/core/transport';
import type { WebSocket } from 'ws';
import {
  CloseCode,
  addressedRestBytes,
  decodeAddressed,
  decodeFrame,
  decodeJson,
  decodeJsonObject,
  encodeError,
  encodeFrame,
  encodeJson,
  type Frame,
  FrameFlag,
  type FrameHeader,
  FrameType,
  HEADER_BYTES,
  peekCallId,
} from '../wire/index.js';
import { TickCork } from '../node/tick-cork.js';
import type { ResolvedLimits } from './options.js';
import { sendFrameWithPayload } from './output-sender.js';
import { precheckStartEntries } from './nested-members.js';

/** Start payloads above this size are parsed in a turn of the event loop of their own. */
const PARSE_LATER_ABOVE_BYTES = 16 * 1024;

/** Output frames carry at most this many payload bytes. */
const MAX_OUTPUT_PAYLOAD = 256 * 1024;

/**
 * Chunks at least this big are bulk output: they wait for the end of the event loop's I/O phase
 * (`setImmediate`), so that the pipe reads made in one phase leave as one frame. Smaller ones (a
 * keystroke's echo, a line of a log) go out at once.
 */
const BULK_CHUNK_BYTES = 16 * 1024;

/**
 * The `Written` answer to a write of at most this many bytes (a keystroke, a pasted word) is held
 * back for up to `HELD_WRITTEN_MS`, to leave in the same `writev` as the output the write is most
 * likely to cause (a terminal's echo): one wakeup of the client per keystroke instead of two.
 */
const HELD_WRITTEN_MAX_BYTES = 64;
const HELD_WRITTEN_MS = 1;

/** Flow-control and batching state of one read. */
interface ReadFlow {
  readonly callId: number;
  readonly fd: OutputFd;
  /** The server may send bytes before this offset (consumed + window). */
  limit: number;
  readonly window: number;
  /** Offset just past what was taken from the transport: sent, or batched in `parts`. */
  sent: number;
  wake: (() => void) | undefined;
  /** Output taken but not yet sent: joined into one frame (see `take`). */
  parts: Uint8Array[];
  partsBytes: number;
}

interface ServerCall {
  /**
   * Absent for `Ack` and `Write`, which are too frequent to build an AbortController each (it
   * was the server's largest cost per echoed keystroke after the socket). An `Ack` is quick and
   * advisory; the `Write`s of a connection share `calls.dropped`, which aborts when it closes.
   */
  readonly controller?: AbortController;
  read?: ReadFlow;
}

function invalid(message: string): ProcwireError {
  return new ProcwireError(ErrorCode.InvalidArgument, message);
}

export class ConnectionSession {
  /** The bound, call ids, cancel and the aborts on close: the rules of core's `ConnectionCalls`. */
  private readonly calls: ConnectionCalls<ServerCall>;
  private queuedBytes = 0;
  /** Stdin bytes of this connection's `Write`s the transport has not answered yet. */
  private pendingInputBytes = 0;
  private drainWaiters: Array<() => void> = [];
  /** Reads holding batched output until the I/O phase ends or the socket drains. */
  private readonly batching = new Set<ReadFlow>();
  /** `Ack` answers waiting for the end of the I/O phase, to leave with the output sent then. */
  private deferredAnswers: Uint8Array[] = [];
  private flushScheduled = false;
  private readonly flushAll = () => {
    this.flushScheduled = false;
    for (const flow of [...this.batching]) this.flushBatch(flow);
    if (this.deferredAnswers.length > 0) {
      for (const answer of this.deferredAnswers.splice(0)) this.send(answer);
    }
  };
  /** `Written` answers held back to leave with the next output (see HELD_WRITTEN_MAX_BYTES). */
  private heldWritten: Uint8Array[] = [];
  private heldWrittenTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly releaseWritten = () => {
    clearTimeout(this.heldWrittenTimer);
    this.heldWrittenTimer = undefined;
    for (const answer of this.heldWritten.splice(0)) this.send(answer);
  };
  private lastActivity = Date.now();
  private readonly idleTimer: ReturnType<typeof setInterval> | undefined;
  private readonly callOptionsBase: { readonly principal?: string };
  private readonly writeOptions: CallOptions;
  private readonly startLimits: StartLimits;
  private readonly cork: TickCork;

  constructor(
    private readonly socket: WebSocket,
    private readonly transport: Transport,
    principal: string | undefined,
    private readonly limits: ResolvedLimits,
  ) {
    this.calls = new ConnectionCalls(limits.maxCallsPerConnection);
    this.callOptionsBase = principal === undefined ? {} : { principal };
    // Every Write in flight on this connection may listen to it (a relayed transport does).
    setMaxListeners(0, this.calls.dropped);
    this.writeOptions = { ...this.callOptionsBase, signal: this.calls.dropped };
    this.startLimits = { maxArgvBytes: limits.maxArgvBytes, maxEnvBytes: limits.maxEnvBytes, maxEnvEntries: limits.maxEnvEntries };
    this.cork = new TickCork(socket);
    socket.on('message', (data, isBinary) => this.receive(data as Buffer, isBinary));
    socket.on('close', () => this.closed());
    socket.on('error', () => {});
    if (limits.idleTimeoutMs > 0) {
      this.idleTimer = setInterval(() => this.checkIdle(), Math.max(10, Math.min(limits.idleTimeoutMs / 2, 30_000)));
      this.idleTimer.unref?.();
    }
  }

  private receive(data: Buffer, isBinary: boolean): void {
    this.lastActivity = Date.now();
    if (!isBinary) {
      this.socket.close(CloseCode.UnsupportedData, 'procwire.v1 takes binary frames only');
      return;
    }
    let frame: Frame;
    try {
      frame = decodeFrame(data);
    } catch (error) {
      this.sendError(peekCallId(data), error);
      return;
    }
    try {
      this.dispatch(frame);
    } catch (error) {
      this.sendError(frame.callId, error);
    }
  }

  private dispatch(frame: Frame): void {
    const { type, callId } = frame;
    if (type >= 0x80) throw invalid(`frame type 0x${type.toString(16)} goes from server to client only`);
    if (type !== FrameType.Write && frame.flags !== 0) throw invalid('flags must be 0 except on Write frames');
    if (type === FrameType.Write && (frame.flags & ~FrameFlag.Eof) !== 0) throw invalid('unknown flag bits on a Write frame');
    const takesFd = type === FrameType.Read || type === FrameType.Ack;
    if (!takesFd && frame.fd !== 0) throw invalid('fd must be 0 except on Read and Ack frames');
    if (callId === 0) throw invalid('call id 0 is reserved');
    const takesOffset = takesFd || type === FrameType.Write || type === FrameType.Credit;
    if (!takesOffset && frame.offset !== 0) throw invalid('offset must be 0 except on Read, Ack, Write and Credit frames');
    if (type === FrameType.Credit) {
      this.credit(frame);
      return;
    }
    if (type === FrameType.Cancel) {
      this.cancel(callId);
      return;
    }
    const call: ServerCall = type === FrameType.Ack || type === FrameType.Write ? {} : { controller: new AbortController() };
    this.calls.open(callId, call);
    void this.run(frame, call);
  }

  private async run(frame: Frame, call: ServerCall): Promise<void> {
    let answer: Uint8Array;
    try {
      answer = await this.perform(frame, call);
    } catch (error) {
      if (this.calls.finish(frame.callId, call)) this.sendError(frame.callId, error);
      return;
    }
    if (this.calls.finish(frame.callId, call)) {
      // During a transfer an Ack arrives with more output ready to send: its answer joins that
      // output's write instead of costing a write (and a wakeup of the client) of its own.
      if (frame.type === FrameType.Ack) {
        this.deferredAnswers.push(answer);
        this.scheduleFlush();
      } else if (frame.type === FrameType.Write && addressedRestBytes(frame.payload) <= HELD_WRITTEN_MAX_BYTES) {
        this.heldWritten.push(answer);
        this.heldWrittenTimer ??= setTimeout(this.releaseWritten, HELD_WRITTEN_MS);
      } else {
        this.send(answer);
      }
    }
  }

  private async perform(frame: Frame, call: ServerCall): Promise<Uint8Array> {
    const { callId } = frame;
    const options: CallOptions =
      frame.type === FrameType.Write
        ? this.writeOptions
        : call.controller === undefined
          ? this.callOptionsBase
          : { ...this.callOptionsBase, signal: call.controller.signal };
    const result = (value: unknown) => encodeFrame({ type: FrameType.Result, callId }, encodeJson(value));
    switch (frame.type) {
      case FrameType.Start: {
        precheckStartEntries(frame.payload, this.limits.maxEnvEntries);
        // The frames of one socket read are all handled in one turn of the event loop: a large
        // Start is parsed in a turn of its own, so several cost several short pauses, not one long.
        if (frame.payload.byteLength > PARSE_LATER_ABOVE_BYTES) await ownTurn();
        const params = decodeJsonObject(frame.payload, 'Start');
        return result(await callTransport(this.transport, 'start', params, options, this.startLimits));
      }
      case FrameType.Read:
        return this.read(frame, call, options);
      case FrameType.Ack: {
        const { processId, rest } = decodeAddressed(frame.payload);
        if (rest.byteLength !== 0) throw invalid('an Ack payload holds only the process id');
        await callTransport(this.transport, 'ackOutput', { processId, fd: frame.fd, offset: frame.offset }, options);
        return result(undefined);
      }
      case FrameType.Write: {
        const { processId, rest } = decodeAddressed(frame.payload);
        const eof = (frame.flags & FrameFlag.Eof) !== 0;
        const size = rest.byteLength;
        // Unanswered writes are memory this connection makes us hold: refused past the bound.
        if (this.pendingInputBytes > 0 && this.pendingInputBytes + size > this.limits.maxPendingInputBytes) {
          throw new ProcwireError(
            ErrorCode.ResourceExhausted,
            `${this.pendingInputBytes} bytes of stdin written on this connection are not taken yet, the limit is ${this.limits.maxPendingInputBytes}`,
          );
        }
        this.pendingInputBytes += size;
        let written: Awaited<ReturnType<Transport['writeInput']>>;
        try {
          written = await callTransport(this.transport, 'writeInput', { processId, offset: frame.offset, data: rest, eof }, options);
        } finally {
          this.pendingInputBytes -= size;
        }
        return encodeFrame({
          type: FrameType.Written,
          callId,
          offset: written.offset,
          flags: written.eof ? FrameFlag.Eof : 0,
        });
      }
      case FrameType.Wait:
        return result(await callTransport(this.transport, 'wait', decodeJsonObject(frame.payload, 'Wait'), options));
      case FrameType.Poll:
        return result(await callTransport(this.transport, 'poll', decodeJsonObject(frame.payload, 'Poll'), options));
      case FrameType.Get:
        return result(await callTransport(this.transport, 'get', decodeJsonObject(frame.payload, 'Get'), options));
      case FrameType.Signal:
        await callTransport(this.transport, 'signal', decodeJsonObject(frame.payload, 'Signal'), options);
        return result(undefined);
      case FrameType.Resize:
        await callTransport(this.transport, 'resize', decodeJsonObject(frame.payload, 'Resize'), options);
        return result(undefined);
      case FrameType.List: {
        const params = decodeJson(frame.payload);
        if (params !== undefined && (typeof params !== 'object' || params === null || Object.keys(params).length > 0)) {
          throw invalid('a List payload must be empty or {}');
        }
        return result(await callTransport(this.transport, 'list', undefined, options));
      }
      default:
        throw invalid(`frame type 0x${frame.type.toString(16)} does not start a call`);
    }
  }

  private async read(frame: Frame, call: ServerCall, options: CallOptions): Promise<Uint8Array> {
    const { processId, rest } = decodeAddressed(frame.payload);
    if (rest.byteLength !== 4) throw invalid('a Read payload holds the process id and a 4-byte window');
    const window = Math.min(new DataView(rest.buffer, rest.byteOffset, 4).getUint32(0), this.limits.maxReadWindowBytes);
    if (window === 0) throw invalid('the read window must be at least 1 byte');
    const request = readOutputRequestFrom({ processId, fd: frame.fd, offset: frame.offset });
    const fd: OutputFd = request.fd;
    const flow: ReadFlow = {
      callId: frame.callId,
      fd,
      limit: frame.offset + window,
      window,
      sent: frame.offset,
      wake: undefined,
      parts: [],
      partsBytes: 0,
    };
    call.read = flow;
    const signal = options.signal!;
    // Iterated by hand, not with for-await: a chunk that can go out at once costs no extra promise.
    const iterator = this.transport.readOutput(request, options)[Symbol.asyncIterator]();
    try {
      for (;;) {
        const next = await iterator.next();
        if (next.done) break;
        try {
          const waiting = this.forward(flow, next.value, signal);
          if (waiting !== undefined) await waiting;
        } catch (error) {
          // As for-await does: close the iterator, and the body's error wins over return()'s.
          await Promise.resolve(iterator.return?.()).catch(() => {});
          throw error;
        }
      }
    } catch (error) {
      // Bytes already taken go out before the error (in order); a cancelled read drops them.
      if (signal.aborted) this.dropBatch(flow);
      else this.flushBatch(flow);
      throw error;
    }
    this.flushBatch(flow);
    return encodeFrame({ type: FrameType.End, callId: frame.callId, fd, offset: flow.sent });
  }

  /**
   * Send (or batch) one chunk from the transport within the read's credit. Returns `undefined`
   * when it is all handled, or a promise when it must wait for credit or socket room.
   */
  private forward(flow: ReadFlow, chunk: OutputChunk, signal: AbortSignal): Promise<void> | undefined {
    if (chunk.offset !== flow.sent) {
      throw new ProcwireError(ErrorCode.Internal, `the transport yielded offset ${chunk.offset}, expected ${flow.sent}`);
    }
    const data = chunk.data;
    const size = data.byteLength;
    let from = 0;
    while (from < size) {
      if (signal.aborted || flow.sent >= flow.limit || this.queuedBytes > this.limits.maxBufferedBytes) {
        return this.forwardSlowly(flow, data, from, signal);
      }
      from += this.take(flow, data, from);
    }
    return undefined;
  }

  private async forwardSlowly(flow: ReadFlow, data: Uint8Array, from: number, signal: AbortSignal): Promise<void> {
    while (from < data.byteLength) {
      await this.sendable(flow, signal);
      from += this.take(flow, data, from);
    }
  }

  /**
   * Take as many bytes of `data` from `from` as the credit and the frame size allow. A small chunk
   * goes out at once when the socket is idle (an echoed keystroke waits for nothing). Bulk chunks,
   * and anything taken while earlier frames are still being written, are batched; the batch goes
   * out as one frame at the end of this I/O phase, when the socket drains, or when it is full. So
   * bulk output gets fewer, larger frames (less work per byte on both ends).
   */
  private take(flow: ReadFlow, data: Uint8Array, from: number): number {
    let size = Math.min(data.byteLength - from, flow.limit - flow.sent, MAX_OUTPUT_PAYLOAD);
    if (flow.partsBytes + size > MAX_OUTPUT_PAYLOAD) this.flushBatch(flow);
    size = Math.min(size, MAX_OUTPUT_PAYLOAD - flow.partsBytes);
    flow.parts.push(from === 0 && size === data.byteLength ? data : data.subarray(from, from + size));
    flow.partsBytes += size;
    flow.sent += size;
    if (flow.partsBytes >= MAX_OUTPUT_PAYLOAD || (this.queuedBytes === 0 && flow.partsBytes < BULK_CHUNK_BYTES)) {
      this.flushBatch(flow);
    } else {
      this.batching.add(flow);
      this.scheduleFlush();
    }
    return size;
  }

  /** Flush batched output and deferred answers at the end of this I/O phase (once). */
  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(this.flushAll);
  }

  /** Send a read's batched output as one `Output` frame. */
  private flushBatch(flow: ReadFlow): void {
    if (flow.partsBytes === 0) return;
    const parts = flow.parts;
    const bytes = flow.partsBytes;
    flow.parts = [];
    flow.partsBytes = 0;
    this.batching.delete(flow);
    this.sendOutput({ type: FrameType.Output, callId: flow.callId, fd: flow.fd, offset: flow.sent - bytes }, parts, bytes);
  }

  private dropBatch(flow: ReadFlow): void {
    flow.parts = [];
    flow.partsBytes = 0;
    this.batching.delete(flow);
  }

  /** Resolves when the read has credit and the socket has room; rejects once the call is cancelled. */
  private async sendable(flow: ReadFlow, signal: AbortSignal): Promise<void> {
    for (;;) {
      if (signal.aborted) throw new ProcwireError(ErrorCode.Aborted, 'the read was cancelled');
      const hasCredit = flow.sent < flow.limit;
      if (hasCredit && this.queuedBytes <= this.limits.maxBufferedBytes) return;
      await new Promise<void>((resolve) => {
        const done = () => {
          signal.removeEventListener('abort', done);
          resolve();
        };
        signal.addEventListener('abort', done, { once: true });
        if (!hasCredit) flow.wake = done;
        else this.drainWaiters.push(done);
      });
    }
  }

  private credit(frame: Frame): void {
    const flow = this.calls.get(frame.callId)?.read;
    if (flow === undefined) {
      throw new ProcwireError(ErrorCode.NotFound, `no read in flight with call id ${frame.callId}`);
    }
    const consumed = Math.min(frame.offset, flow.sent);
    if (consumed + flow.window > flow.limit) {
      flow.limit = consumed + flow.window;
      const wake = flow.wake;
      flow.wake = undefined;
      wake?.();
    }
  }

  private cancel(callId: number): void {
    this.sendError(callId, this.calls.cancel(callId));
  }

  private send(frame: Uint8Array): void {
    if (this.socket.readyState !== this.socket.OPEN) return;
    if (this.heldWritten.length > 0) this.releaseWritten();
    this.queuedBytes += frame.byteLength;
    this.cork.engage();
    this.socket.send(frame, { binary: true }, this.sentCallback(frame.byteLength));
    // A client that sends calls but does not read the answers must not grow our memory: stop
    // reading its frames until the answers drain.
    if (this.queuedBytes > this.limits.maxBufferedBytes && !this.socket.isPaused) this.socket.pause();
  }

  private sendOutput(header: FrameHeader, parts: readonly Uint8Array[], payloadBytes: number): void {
    if (this.socket.readyState !== this.socket.OPEN) return;
    // Held answers go first, in the same corked write.
    if (this.heldWritten.length > 0) this.releaseWritten();
    const size = HEADER_BYTES + payloadBytes;
    this.queuedBytes += size;
    this.cork.engage();
    sendFrameWithPayload(this.socket, header, parts, payloadBytes, this.sentCallback(size));
  }

  /** Counts bytes handed to the OS, and wakes reads waiting for the socket to drain. */
  private sentCallback(size: number): () => void {
    return () => {
      this.queuedBytes -= size;
      if (this.queuedBytes === 0 && this.batching.size > 0) {
        for (const flow of [...this.batching]) this.flushBatch(flow);
      }
      if (this.queuedBytes > this.limits.maxBufferedBytes) return;
      if (this.socket.isPaused) this.socket.resume();
      if (this.drainWaiters.length > 0) {
        for (const wake of this.drainWaiters.splice(0)) wake();
      }
    };
  }

  private sendError(callId: number, error: unknown): void {
    this.send(encodeFrame({ type: FrameType.Error, callId }, encodeError(error)));
  }

  private checkIdle(): void {
    if (this.calls.size === 0 && Date.now() - this.lastActivity >= this.limits.idleTimeoutMs) {
      this.socket.close(CloseCode.Idle, 'idle');
    }
  }

  private closed(): void {
    if (this.idleTimer !== undefined) clearInterval(this.idleTimer);
    clearTimeout(this.heldWrittenTimer);
    this.heldWritten = [];
    this.calls.close();
    this.batching.clear();
    this.deferredAnswers = [];
    for (const wake of this.drainWaiters.splice(0)) wake();
  }
}
