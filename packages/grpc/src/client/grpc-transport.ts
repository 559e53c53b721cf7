/**
 * grpcTransport(): the core Transport contract over one gRPC channel to a procwire gRPC server.
 * Every process shares the channel; each call carries the bearer token; failures map to procwire
 * error codes (network trouble -> `unavailable`, which core retries and resumes from its offsets).
 */
import {
  type CallOptions as GrpcCallOptions,
  type ChannelCredentials,
  type ChannelOptions,
  type ClientUnaryCall,
  credentials,
  status as grpcStatus,
  Metadata,
  type ServiceError,
} from '@grpc/grpc-js';
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
import { ErrorCode, ProcwireError, validateStartRequest } from '@procwire/core/transport';
import type * as pb from '../gen/procwire/v1/procwire.js';
import { asBuffer } from '../wire/chunk-codecs.js';
import { exitStatusFromWire, processInfoFromWire, startRequestToWire } from '../wire/convert.js';
import { ProcwireServiceClient } from '../wire/service.js';
import { fromServiceError } from '../wire/status.js';
import { ExecStream } from './exec-stream.js';
import { InputCallsStream } from './input-calls-stream.js';

/** Limits on sizes are the server's to apply (its flags may raise them): none on the client. */
const serverSideLimits = {
  maxArgvBytes: Number.MAX_SAFE_INTEGER,
  maxEnvBytes: Number.MAX_SAFE_INTEGER,
  maxEnvEntries: Number.MAX_SAFE_INTEGER,
} as const;

/** TLS settings of {@link grpcTransport}. */
export interface GrpcClientTlsOptions {
  /** PEM certificate(s) to trust instead of the system roots (e.g. a self-signed server certificate). */
  readonly ca?: string | Uint8Array;
  /** PEM client certificate, for servers that require one (with `key`). */
  readonly cert?: string | Uint8Array;
  /** PEM private key of `cert`. */
  readonly key?: string | Uint8Array;
  /** The name to check the server certificate against, when it differs from the address's host. */
  readonly serverName?: string;
}

/** Options of {@link grpcTransport}. */
export interface GrpcTransportOptions {
  /** `host:port` of the server, e.g. `'127.0.0.1:50051'` (what `serveGrpc(...).address` gives). */
  readonly address: string;
  /** Bearer token sent as `authorization: Bearer <token>` on every call. Never logged. */
  readonly token?: string;
  /** `true`: TLS with the system roots; an object: TLS with these settings; absent: plaintext. */
  readonly tls?: boolean | GrpcClientTlsOptions;
  /**
   * Extra grpc-js channel options, merged over procwire's defaults (keepalive every 10 s with a
   * 5 s timeout, reconnect backoff 100 ms .. 2 s).
   */
  readonly channelOptions?: ChannelOptions;
}

const defaultChannelOptions: ChannelOptions = {
  // A dead connection is noticed within ~15 s even when no byte flows (a long Wait, an idle read).
  'grpc.keepalive_time_ms': 10_000,
  'grpc.keepalive_timeout_ms': 5_000,
  'grpc.keepalive_permit_without_calls': 1,
  // Core retries with its own backoff; the channel should be ready again soon after the host is.
  'grpc.initial_reconnect_backoff_ms': 100,
  'grpc.max_reconnect_backoff_ms': 2_000,
  'grpc.max_receive_message_length': 16 * 1024 * 1024,
  // HTTP/2's default 64 KiB window allows less than one 1 MiB output message per round trip; 8 MiB
  // matches the host's default output window, which already bounds what a stream can have in flight.
  'grpc-node.flow_control_window': 8 * 1024 * 1024,
};

/** The most stdin bytes in one WriteInput message (the server's default limit is 4 MiB). */
const maxInputMessageBytes = 1024 * 1024;

/**
 * The WriteInputCalls stream is ended once it has had no write for this long and the transport has
 * no other call open, so an idle client holds no stream (and lets Node exit) without paying a
 * stream setup on every keystroke of an interactive session.
 */
const inputStreamIdleMs = 1_000;

type Callback<Res> = (error: ServiceError | null, response?: Res) => void;
type UnaryMethod<Req, Res> = (
  request: Req,
  metadata: Metadata,
  options: Partial<GrpcCallOptions>,
  callback: Callback<Res>,
) => ClientUnaryCall;

const pem = (value: string | Uint8Array | undefined) =>
  value === undefined ? null : typeof value === 'string' ? Buffer.from(value) : asBuffer(value);

function channelCredentials(tls: GrpcTransportOptions['tls']): ChannelCredentials {
  if (tls === undefined || tls === false) return credentials.createInsecure();
  if (tls === true) return credentials.createSsl();
  return credentials.createSsl(pem(tls.ca), pem(tls.key), pem(tls.cert));
}

function closedError(): ProcwireError {
  return new ProcwireError(ErrorCode.Closed, 'the gRPC transport is closed');
}

function abortedError(signal: AbortSignal): ProcwireError {
  return new ProcwireError(ErrorCode.Aborted, 'the call was aborted', { cause: signal.reason });
}

/**
 * A transport that reaches a procwire gRPC server (`serveGrpc`, `procwire-server`). Many processes
 * share one channel. Pass it to `createClient`:
 *
 * ```ts
 * const client = createClient(grpcTransport({ address: '127.0.0.1:50051', token: 's3cret' }));
 * ```
 *
 * Errors: the server's procwire error code is kept exactly; a failure of the connection
 * (UNAVAILABLE, DEADLINE_EXCEEDED or CANCELLED that the server did not send, a reset stream) is
 * `unavailable`, so core retries it and resumes streams from their offsets. `CallOptions.signal`
 * cancels the gRPC call. `close()` closes the channel; processes on the host keep running.
 */
export function grpcTransport(options: GrpcTransportOptions): Transport {
  return new GrpcTransport(options);
}


class GrpcTransport implements Transport {
  private readonly client: pb.ProcwireClient;
  private readonly metadata = new Metadata();
  private closed = false;
  /** Calls in flight, cancelled by `close()` so nothing keeps the channel (or the process) alive. */
  private readonly calls = new Set<{ cancel(): void }>();
  /** The shared stdin stream (WriteInputCalls), opened on the first write and after a break. */
  private inputStream: InputCallsStream | undefined;
  private inputStreamIdleTimer: NodeJS.Timeout | undefined;
  private lastInputAt = 0;
  /** The server has no WriteInputCalls (an older server): stdin goes by unary WriteInput. */
  private unaryInputOnly = false;
  private closing: Promise<void> | undefined;
  /** Exec calls by process id, until their exit is taken by wait() or the call breaks. */
  private readonly execs = new Map<string, ExecStream>();
  /** The server has no Exec (an older server): start goes by unary Start. */
  private unaryStartOnly = false;

  constructor(options: GrpcTransportOptions) {
    if (typeof options?.address !== 'string' || options.address === '') {
      throw new ProcwireError(ErrorCode.InvalidArgument, 'grpcTransport needs an address such as "127.0.0.1:50051"');
    }
    if (options.token !== undefined) this.metadata.set('authorization', `Bearer ${options.token}`);
    const channelOptions: ChannelOptions = { ...defaultChannelOptions, ...options.channelOptions };
    if (typeof options.tls === 'object' && options.tls.serverName !== undefined) {
      channelOptions['grpc.ssl_target_name_override'] = options.tls.serverName;
      channelOptions['grpc.default_authority'] = options.tls.serverName;
    }
    this.client = new ProcwireServiceClient(options.address, channelCredentials(options.tls), channelOptions);
  }

  private checkOpen(): void {
    if (this.closed) throw closedError();
  }

  private failure(error: unknown, processId: string | undefined): ProcwireError {
    return this.closed ? closedError() : fromServiceError(error, { processId });
  }

  private unary<Req, Res>(
    method: UnaryMethod<Req, Res>,
    request: Req,
    options: CallOptions | undefined,
    processId?: string,
  ): Promise<Res> {
    return new Promise<Res>((resolve, reject) => {
      this.checkOpen();
      const signal = options?.signal;
      if (signal?.aborted) throw abortedError(signal);
      const onAbort = () => {
        call.cancel();
        reject(abortedError(signal!));
      };
      const call = method.call(this.client, request, this.metadata.clone(), {}, (error, response) => {
        this.calls.delete(call);
        signal?.removeEventListener('abort', onAbort);
        if (error !== null) reject(this.failure(error, processId));
        else resolve(response as Res);
      });
      this.calls.add(call);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  async start(request: StartRequest, options?: CallOptions): Promise<ProcessInfo> {
    // Protobuf cannot carry what the checks reject (a number in argv, say); size limits are the server's.
    validateStartRequest(request, serverSideLimits);
    if (!this.unaryStartOnly && !this.execs.has(request.processId)) {
      const started = await this.startByExec(request, options);
      if (started !== undefined) return started;
    }
    const info = await this.unary<pb.StartRequest, pb.ProcessInfo>(
      this.client.start,
      startRequestToWire(request),
      options,
      request.processId,
    );
    return processInfoFromWire(info);
  }

  /**
   * Starts the process on an Exec call, which then streams its output and exit status, so that
   * readOutput and wait need no call of their own. `undefined`: the server has no Exec.
   */
  private async startByExec(request: StartRequest, options: CallOptions | undefined): Promise<ProcessInfo | undefined> {
    this.checkOpen();
    const signal = options?.signal;
    if (signal?.aborted) throw abortedError(signal);
    const { processId } = request;
    const call = this.client.exec(this.metadata.clone());
    const exec = new ExecStream(call, startRequestToWire(request), processId);
    this.execs.set(processId, exec);
    this.calls.add(call);
    const forget = () => {
      this.calls.delete(call);
      if (this.execs.get(processId) === exec) this.execs.delete(processId);
    };
    exec.exit.then(() => this.calls.delete(call), forget);
    const onAbort = () => exec.cancel();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      return await exec.started;
    } catch (error) {
      forget();
      if (signal?.aborted) throw abortedError(signal);
      if (error instanceof ProcwireError && error.cause instanceof Object && (error.cause as { code?: unknown }).code === grpcStatus.UNIMPLEMENTED) {
        this.unaryStartOnly = true;
        return undefined;
      }
      // The principal's long-lived calls are all taken: a unary Start needs none (and if a process
      // limit was the cause, answers with it).
      if (error instanceof ProcwireError && error.code === ErrorCode.ResourceExhausted) return undefined;
      throw this.closed ? closedError() : error;
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  async *readOutput(request: ReadOutputRequest, options?: CallOptions): AsyncIterable<OutputChunk> {
    this.checkOpen();
    const signal = options?.signal;
    if (signal?.aborted) throw abortedError(signal);
    const fromExec = this.execs.get(request.processId)?.read(request.fd, request.offset, signal);
    if (fromExec !== undefined) {
      // Opening a read at an offset acknowledges what is before it, as ReadOutput does.
      if (request.offset > 0) this.execs.get(request.processId)?.ack(request.fd, request.offset);
      try {
        for await (const chunk of fromExec) {
          yield chunk;
        }
      } catch (error) {
        // A broken Exec call fails the read as a broken ReadOutput would: core reads again by RPC.
        throw this.closed ? closedError() : error;
      }
      return;
    }
    const call = this.client.readOutput(
      { processId: request.processId, fd: request.fd, offset: request.offset },
      this.metadata.clone(),
    );
    const onAbort = () => call.cancel();
    signal?.addEventListener('abort', onAbort, { once: true });
    this.calls.add(call);
    let finished = false;
    try {
      for await (const chunk of call as AsyncIterable<pb.OutputChunk>) {
        if (chunk.data.byteLength === 0) continue;
        yield { offset: chunk.offset, data: chunk.data };
      }
      finished = true;
    } catch (error) {
      if (signal?.aborted) throw abortedError(signal);
      throw this.failure(error, request.processId);
    } finally {
      this.calls.delete(call);
      signal?.removeEventListener('abort', onAbort);
      // The consumer broke out early (or failed): end the server's stream too.
      if (!finished) call.cancel();
    }
  }

  async ackOutput(request: AckOutputRequest, options?: CallOptions): Promise<void> {
    // Core paces acks (one in flight per stream, small ones joined), so each is sent as it comes.
    const { processId, fd, offset } = request;
    // On the process's Exec call an ack is one small message, not a call.
    if (this.execs.get(processId)?.ack(fd, offset) === true) return;
    await this.unary<pb.AckOutputRequest, pb.AckOutputResponse>(this.client.ackOutput, { processId, fd, offset }, options, processId);
  }

  async writeInput(request: WriteInputRequest, options?: CallOptions): Promise<WriteInputResult> {
    // Large writes go as several messages under the server's message limit; each is at its own
    // offset, so a failure part-way is retried from the caller's offset and the host trims what it has.
    const { data } = request;
    let result: WriteInputResult | undefined;
    let start = 0;
    do {
      const end = Math.min(start + maxInputMessageBytes, data.byteLength);
      result = await this.writeInputMessage(
        {
          processId: request.processId,
          offset: request.offset + start,
          data: asBuffer(data.subarray(start, end)),
          eof: request.eof && end === data.byteLength,
        },
        options,
      );
      start = end;
    } while (start < data.byteLength);
    return result;
  }

  /** One WriteInputRequest, on the shared WriteInputCalls stream (unary if the server has none). */
  private async writeInputMessage(message: pb.WriteInputRequest, options: CallOptions | undefined): Promise<WriteInputResult> {
    this.checkOpen();
    const signal = options?.signal;
    if (signal?.aborted) throw abortedError(signal);
    if (!this.unaryInputOnly) {
      const stream = this.openInputStream();
      this.lastInputAt = performance.now();
      try {
        return await stream.write(message, signal);
      } catch (error) {
        if (this.closed) throw closedError();
        if (!stream.unimplemented) throw error;
        this.unaryInputOnly = true;
      }
    }
    return this.writeInputUnary(message, options);
  }

  private async writeInputUnary(message: pb.WriteInputRequest, options: CallOptions | undefined): Promise<WriteInputResult> {
    const response = await this.unary<pb.WriteInputRequest, pb.WriteInputResponse>(
      this.client.writeInput,
      message,
      options,
      message.processId,
    );
    return { offset: response.offset, eof: response.eof };
  }

  private openInputStream(): InputCallsStream {
    if (this.inputStream !== undefined) return this.inputStream;
    const stream = new InputCallsStream(
      this.client.writeInputCalls(this.metadata.clone()),
      (broken) => {
        if (this.inputStream === broken) this.dropInputStream();
      },
      (message, signal) => this.writeInputUnary(message, signal === undefined ? undefined : { signal }),
    );
    this.inputStream = stream;
    this.inputStreamIdleTimer = setInterval(() => {
      const idle = performance.now() - this.lastInputAt >= inputStreamIdleMs;
      if (idle && stream.unanswered === 0 && this.calls.size === 0) {
        this.dropInputStream();
        stream.end();
      }
    }, inputStreamIdleMs);
    this.inputStreamIdleTimer.unref();
    return stream;
  }

  private dropInputStream(): void {
    clearInterval(this.inputStreamIdleTimer);
    this.inputStreamIdleTimer = undefined;
    this.inputStream = undefined;
  }

  async wait(request: ProcessRequest, options?: CallOptions): Promise<ExitStatus> {
    const exec = this.execs.get(request.processId);
    if (exec !== undefined) {
      const status = await this.execExit(exec, options?.signal);
      if (this.execs.get(request.processId) === exec) this.execs.delete(request.processId);
      return status;
    }
    const exit = await this.unary<pb.ProcessRequest, pb.ExitStatus>(
      this.client.wait,
      { processId: request.processId },
      options,
      request.processId,
    );
    return exitStatusFromWire(exit);
  }

  /**
   * The exit status from an Exec call. A broken call rejects as a failed Wait would (`unavailable`):
   * core retries, and the retry asks by Wait.
   */
  private async execExit(exec: ExecStream, signal: AbortSignal | undefined): Promise<ExitStatus> {
    if (signal?.aborted) throw abortedError(signal);
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<never>((_resolve, reject) => {
      onAbort = () => reject(abortedError(signal!));
      signal?.addEventListener('abort', onAbort, { once: true });
    });
    try {
      return await Promise.race([exec.exit, aborted]);
    } catch (error) {
      if (signal?.aborted) throw abortedError(signal);
      throw this.closed ? closedError() : error;
    } finally {
      if (onAbort !== undefined) signal?.removeEventListener('abort', onAbort);
    }
  }

  async poll(request: ProcessRequest, options?: CallOptions): Promise<ExitStatus | null> {
    const result = await this.unary<pb.ProcessRequest, pb.PollResponse>(
      this.client.poll,
      { processId: request.processId },
      options,
      request.processId,
    );
    return result.exited && result.exit !== undefined ? exitStatusFromWire(result.exit) : null;
  }

  async signal(request: SignalRequest, options?: CallOptions): Promise<void> {
    await this.unary<pb.SignalRequest, pb.SignalResponse>(
      this.client.signal,
      { processId: request.processId, signal: request.signal },
      options,
      request.processId,
    );
  }

  async resize(request: ResizeRequest, options?: CallOptions): Promise<void> {
    await this.unary<pb.ResizeRequest, pb.ResizeResponse>(
      this.client.resize,
      { processId: request.processId, cols: request.size.cols, rows: request.size.rows },
      options,
      request.processId,
    );
  }

  async get(request: ProcessRequest, options?: CallOptions): Promise<ProcessInfo> {
    const info = await this.unary<pb.ProcessRequest, pb.ProcessInfo>(
      this.client.get,
      { processId: request.processId },
      options,
      request.processId,
    );
    return processInfoFromWire(info);
  }

  async list(options?: CallOptions): Promise<ProcessInfo[]> {
    const result = await this.unary<pb.ListRequest, pb.ListResponse>(this.client.list, {}, options);
    return result.processes.map(processInfoFromWire);
  }

  close(): Promise<void> {
    this.closing ??= this.closeNow();
    return this.closing;
  }

  private async closeNow(): Promise<void> {
    this.closed = true;
    const inputStream = this.inputStream;
    this.dropInputStream();
    inputStream?.cancel(closedError());
    for (const call of this.calls) call.cancel();
    this.calls.clear();
    this.client.close();
  }
}
