/**
 * The client `Transport` over `procwire.v1`, shared by the Node and browser entry points.
 *
 * It connects lazily and keeps one connection for every call. When the connection drops, the
 * calls in flight reject with `unavailable` (the core retries them from its offsets) and the next
 * call reconnects, waiting an exponential backoff (50 ms doubling to 2 s) after failures.
 */
import type {
  AckOutputRequest,
  CallOptions,
  ExitStatus,
  OutputChunk,
  ProcessInfo,
  ProcessRequest,
  ReadOutputRequest,
  ResizeRequest,
  SignalRequest,
  StartRequest,
  Transport,
  WriteInputRequest,
  WriteInputResult,
} from '@procwire/core/transport';
import { ErrorCode, ProcwireError } from '@procwire/core/transport';
import {
  decodeError,
  decodeJson,
  encodeAddressedFrame,
  encodeFrame,
  encodeJson,
  type Frame,
  FrameFlag,
  FrameType,
} from '../wire/index.js';
import type { SocketOpener } from './client-socket.js';
import { type ResolvedTransportOptions, resolveTransportOptions, type WebSocketTransportOptions } from './options.js';
import { abortError, OutputReader } from './output-reader.js';
import { WireConnection } from './wire-connection.js';

const BACKOFF_FIRST_MS = 50;
const BACKOFF_MAX_MS = 2000;

/** Build a client transport on top of a platform's socket opener. */
export function createWebSocketTransport(options: WebSocketTransportOptions, opener: SocketOpener): Transport {
  return new WebSocketClientTransport(resolveTransportOptions(options), opener);
}

class WebSocketClientTransport implements Transport {
  private current: WireConnection | undefined;
  private connecting: Promise<WireConnection> | undefined;
  private failures = 0;
  private lastFailureAt = 0;
  private closed = false;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly options: ResolvedTransportOptions,
    private readonly opener: SocketOpener,
  ) {}

  async start(request: StartRequest, options?: CallOptions): Promise<ProcessInfo> {
    const payload = encodeJson(startParams(request));
    const frame = await this.call((callId) => encodeFrame({ type: FrameType.Start, callId }, payload), options);
    return decodeJson(frame.payload) as ProcessInfo;
  }

  readOutput(request: ReadOutputRequest, options?: CallOptions): AsyncIterable<OutputChunk> {
    const target = {
      processId: request.processId,
      fd: request.fd,
      offset: request.offset,
      windowBytes: this.options.readWindowBytes,
      ...(options?.signal === undefined ? {} : { signal: options.signal }),
    };
    return { [Symbol.asyncIterator]: () => new OutputReader(() => this.connection(), target) };
  }

  ackOutput(request: AckOutputRequest, options?: CallOptions): Promise<void> {
    // Core paces acks (one in flight per stream, small ones joined), so each is sent as it comes.
    const { processId, fd, offset } = request;
    return this.call((callId) => encodeAddressedFrame({ type: FrameType.Ack, callId, fd, offset }, processId, 0).frame, options).then(
      () => undefined,
    );
  }

  async writeInput(request: WriteInputRequest, options?: CallOptions): Promise<WriteInputResult> {
    const { data } = request;
    const chunkBytes = this.options.writeChunkBytes;
    let start = 0;
    // Large writes go as several frames, each awaited: the host's answer is the backpressure.
    for (;;) {
      const end = Math.min(data.byteLength, start + chunkBytes);
      const last = end === data.byteLength;
      const piece = data.subarray(start, end);
      const frame = await this.call((callId) => {
        const built = encodeAddressedFrame(
          {
            type: FrameType.Write,
            callId,
            offset: request.offset + start,
            flags: last && request.eof ? FrameFlag.Eof : 0,
          },
          request.processId,
          piece.byteLength,
        );
        built.rest.set(piece);
        return built.frame;
      }, options);
      if (last) return { offset: frame.offset, eof: (frame.flags & FrameFlag.Eof) !== 0 };
      start = end;
    }
  }

  async wait(request: ProcessRequest, options?: CallOptions): Promise<ExitStatus> {
    const frame = await this.control(FrameType.Wait, { processId: request.processId }, options);
    return decodeJson(frame.payload) as ExitStatus;
  }

  async poll(request: ProcessRequest, options?: CallOptions): Promise<ExitStatus | null> {
    const value = decodeJson((await this.control(FrameType.Poll, { processId: request.processId }, options)).payload);
    return (value ?? null) as ExitStatus | null;
  }

  async signal(request: SignalRequest, options?: CallOptions): Promise<void> {
    await this.control(FrameType.Signal, { processId: request.processId, signal: request.signal }, options);
  }

  async resize(request: ResizeRequest, options?: CallOptions): Promise<void> {
    await this.control(FrameType.Resize, { processId: request.processId, size: request.size }, options);
  }

  async get(request: ProcessRequest, options?: CallOptions): Promise<ProcessInfo> {
    return decodeJson((await this.control(FrameType.Get, { processId: request.processId }, options)).payload) as ProcessInfo;
  }

  async list(options?: CallOptions): Promise<ProcessInfo[]> {
    return decodeJson((await this.control(FrameType.List, undefined, options)).payload) as ProcessInfo[];
  }

  close(): Promise<void> {
    this.closing ??= this.closeNow();
    return this.closing;
  }

  private async closeNow(): Promise<void> {
    this.closed = true;
    const error = new ProcwireError(ErrorCode.Closed, 'the websocket transport was closed');
    this.current?.close(error);
    this.current = undefined;
    const connecting = this.connecting;
    if (connecting !== undefined) {
      await connecting.then(
        (connection) => connection.close(error),
        () => {},
      );
    }
  }

  private control(type: FrameType, params: unknown, options: CallOptions | undefined): Promise<Frame> {
    const payload = encodeJson(params);
    return this.call((callId) => encodeFrame({ type, callId }, payload), options);
  }

  /** One request, one answer (`Result` or `Written`), or an `Error`. */
  private async call(build: (callId: number) => Uint8Array, options: CallOptions | undefined): Promise<Frame> {
    const signal = options?.signal;
    if (signal?.aborted) throw abortError(signal);
    const connection = await this.connection();
    if (signal?.aborted) throw abortError(signal);
    return new Promise<Frame>((resolve, reject) => {
      let callId = 0;
      const onAbort = () => {
        connection.unregister(callId);
        connection.send(encodeFrame({ type: FrameType.Cancel, callId }));
        reject(abortError(signal));
      };
      const settle = () => {
        connection.unregister(callId);
        signal?.removeEventListener('abort', onAbort);
      };
      try {
        callId = connection.register({
          onFrame: (frame) => {
            settle();
            if (frame.type === FrameType.Result || frame.type === FrameType.Written) resolve(frame);
            else if (frame.type === FrameType.Error) reject(decodeError(frame.payload));
            else reject(new ProcwireError(ErrorCode.Internal, `unexpected frame type 0x${frame.type.toString(16)}`));
          },
          onGone: (error) => {
            signal?.removeEventListener('abort', onAbort);
            reject(error);
          },
        });
        connection.send(build(callId));
      } catch (error) {
        settle();
        reject(ProcwireError.from(error));
        return;
      }
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** The open connection, or a new one (after the backoff that past failures call for). */
  private connection(): Promise<WireConnection> {
    if (this.closed) return Promise.reject(new ProcwireError(ErrorCode.Closed, 'the websocket transport was closed'));
    if (this.current?.isOpen) return Promise.resolve(this.current);
    this.connecting ??= this.dial().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async dial(): Promise<WireConnection> {
    if (this.failures > 0) {
      const backoff = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** (this.failures - 1)) * (0.5 + Math.random() / 2);
      const wait = this.lastFailureAt + backoff - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
    if (this.closed) throw new ProcwireError(ErrorCode.Closed, 'the websocket transport was closed');
    let connection: WireConnection;
    try {
      connection = await WireConnection.open(this.opener, this.options.url, this.options.token, this.options.connectTimeoutMs);
    } catch (error) {
      this.failures = Math.min(this.failures + 1, 16);
      this.lastFailureAt = Date.now();
      throw error;
    }
    this.failures = 0;
    this.current = connection;
    connection.onGone(() => {
      if (this.current === connection) this.current = undefined;
      this.failures = Math.max(this.failures, 1);
      this.lastFailureAt = Date.now();
    });
    return connection;
  }
}

/** JSON drops `undefined`, so an env key to remove travels as `null`. */
function startParams(request: StartRequest): unknown {
  if (request.env === undefined) return request;
  const env: Record<string, string | null> = {};
  for (const [key, value] of Object.entries(request.env)) env[key] = value ?? null;
  return { ...request, env };
}
