/**
 * serveGrpc(): serves any core Transport over gRPC (the Procwire service + grpc.health.v1).
 * Each call is authenticated, validated, then handed to the transport with the caller's principal
 * and an AbortSignal that fires when the call is cancelled or the server closes.
 */
import { once, setMaxListeners } from 'node:events';
import type { Http2Server, ServerHttp2Session } from 'node:http2';
import { createServer as createNetServer, isIP, type AddressInfo } from 'node:net';
import {
  type handleBidiStreamingCall,
  type handleClientStreamingCall,
  type handleServerStreamingCall,
  type handleUnaryCall,

  Server,
  type ServerCredentials as GrpcServerCredentials,
  ServerCredentials,
  type ServerInterceptor,
  type ServerReadableStream,
  type ServerUnaryCall,
  type ServerWritableStream,
  type ChannelOptions,
} from '@grpc/grpc-js';
import {
  type CallOptions,
  callTransport,
  DEFAULT_MAX_ENV_ENTRIES,
  ErrorCode,
  ProcwireError,
  readOutputRequestFrom,
  type StartLimits,
  type Transport,
  validateEnvEntries,
  type WriteInputResult,
} from '@procwire/core/transport';
import { HealthService } from '../gen/grpc/health/v1/health.js';
import type * as pb from '../gen/procwire/v1/procwire.js';
import { exitStatusToWire, processInfoToWire, startRequestFromWire } from '../wire/convert.js';
import { execEnvEntries, startEnvEntries } from '../wire/env-entries.js';
import { procwireService, procwireServiceName } from '../wire/service.js';
import type { DecodedInputCall } from '../wire/chunk-codecs.js';
import { errorCodeTrailer, toServiceError } from '../wire/status.js';
import { ConnectionGate } from './connection-gate.js';
import { execCallHandler } from './exec-call.js';
import { HealthStatus } from './health-service.js';
import { addReflection } from './reflection.js';
import { serveInputCalls } from './input-calls.js';
import { outputBatches } from './output-batches.js';
import { unaryInputGate } from './unary-input-gate.js';
import { UnsentBytes } from './unsent-bytes.js';
import { TokenAuthenticator } from './token-authenticator.js';
import { checkDecoded, decodedRequest, withTolerantDeserializers } from './tolerant-deserializers.js';

/** TLS settings of {@link serveGrpc}. */
export interface GrpcServerTlsOptions {
  /** PEM certificate chain of the server. */
  readonly cert: string | Uint8Array;
  /** PEM private key of `cert`. */
  readonly key: string | Uint8Array;
  /** PEM CA certificate(s) that client certificates must chain to (with `requireClientCert`). */
  readonly ca?: string | Uint8Array;
  /** Require and check a client certificate (mutual TLS); default false. */
  readonly requireClientCert?: boolean;
}

/** Limits of {@link serveGrpc}. Each answers RESOURCE_EXHAUSTED and leaves the server running. */
export interface GrpcServerLimits {
  /** Largest request message accepted, in bytes; default 4 MiB (grpc-js answers RESOURCE_EXHAUSTED). */
  readonly maxMessageBytes?: number;
  /**
   * The most output bytes in one ReadOutput message; default 1 MiB. Output the host has ready is
   * joined into messages up to this size; a larger chunk is sent as several messages.
   */
  readonly maxOutputChunkBytes?: number;
  /**
   * Long-lived calls open at once per principal; default 256. ReadOutput, Wait and WriteInputStream
   * calls count together; WriteInputCalls calls (one per client channel) count on their own.
   */
  readonly maxStreamsPerPrincipal?: number;
  /** HTTP/2 streams open at once per connection; default 1000. */
  readonly maxConcurrentStreamsPerConnection?: number;
  /** The most bytes of argv in a Start (as the kernel counts them); default 256 KiB. */
  readonly maxArgvBytes?: number;
  /** The most bytes of env in a Start (`NAME=value` plus a NUL each); default 256 KiB. */
  readonly maxEnvBytes?: number;
  /**
   * The most env entries in a Start (or Exec's start); default 4096. Counted in the encoded
   * request before it is decoded, so a request of many tiny entries does not stall the server.
   */
  readonly maxEnvEntries?: number;
  /** TCP connections open at once; more are closed as they arrive. Default 1024. */
  readonly maxConnections?: number;
  /** TCP connections open at once from one peer IP address; default 1024. */
  readonly maxConnectionsPerAddress?: number;
  /**
   * A connection that has made no authenticated call this long after it opened is closed, so
   * connections that never log in cannot hold descriptors. Default 10 s with `tokens`; 0: never.
   */
  readonly authTimeoutMs?: number;
}

/** Options of {@link serveGrpc}. */
export interface ServeGrpcOptions {
  /** Interface to listen on; default `'127.0.0.1'`. Without `tokens`, only loopback is allowed. */
  readonly host?: string;
  /** Port; default 0 (any free port, see the returned `port`). */
  readonly port?: number;
  /**
   * Token -> principal. Every Procwire call must carry `authorization: Bearer <token>`; the
   * principal is passed to the transport, which isolates processes by it. Absent: no auth, and
   * the server refuses to listen anywhere but loopback.
   */
  readonly tokens?: Readonly<Record<string, string>>;
  /** Serve TLS with this certificate and key; absent: plaintext. */
  readonly tls?: GrpcServerTlsOptions;
  readonly limits?: GrpcServerLimits;
  /** Extra grpc-js server options, merged over procwire's defaults. */
  readonly channelOptions?: ChannelOptions;
  /** Serve gRPC server reflection (`grpcurl` without the .proto); default true. */
  readonly reflection?: boolean;
}

/** A running gRPC server. */
export interface GrpcServer {
  /** `host:port` to pass to `grpcTransport({ address })`, e.g. `'127.0.0.1:43121'`. */
  readonly address: string;
  /** The bound port (the real one when `port` was 0). */
  readonly port: number;
  /**
   * Stops accepting calls, ends the open ones (clients see UNAVAILABLE and may retry elsewhere) and
   * closes the listener. The transport is not closed: it belongs to the caller. Idempotent.
   */
  close(): Promise<void>;
}

/**
 * A ReadOutput call pulls no more from the host while this many bytes (or two messages, if more)
 * wait for HTTP/2 to send them: enough to keep the connection busy, little to hold per slow reader.
 */
const unsentOutputLimit = 2 * 1024 * 1024;

const loopbackHosts = new Set(['localhost', '::1', '[::1]']);
const isLoopback = (host: string) => loopbackHosts.has(host) || (isIP(host) === 4 && host.startsWith('127.'));
const pemBuffer = (value: string | Uint8Array) =>
  typeof value === 'string' ? Buffer.from(value) : Buffer.from(value.buffer, value.byteOffset, value.byteLength);

// What every kind of grpc-js server call has (grpc-js does not export its own name for it).
interface SurfaceCall {
  readonly metadata: ServerUnaryCall<unknown, unknown>['metadata'];
  getPeer(): string;
  on(event: 'cancelled', listener: () => void): unknown;
  removeListener(event: 'cancelled', listener: () => void): unknown;
}

interface CallContext {
  readonly principal: string | undefined;
  readonly signal: AbortSignal;
  readonly options: CallOptions;
  end(): void;
}

/**
 * Serve `transport` over gRPC: the `procwire.v1.Procwire` service (see
 * `proto/procwire/v1/procwire.proto` and docs/PROTOCOL-grpc.md) and `grpc.health.v1.Health`.
 *
 * ```ts
 * const server = await serveGrpc(localTransport(), { port: 0, tokens: { s3cret: 'alice' } });
 * const client = createClient(grpcTransport({ address: server.address, token: 's3cret' }));
 * ```
 *
 * Rejects with `invalid_argument` for bad options (no tokens on a non-loopback host) and
 * `unavailable` when the port cannot be bound.
 */
export async function serveGrpc(transport: Transport, options: ServeGrpcOptions = {}): Promise<GrpcServer> {
  const host = options.host ?? '127.0.0.1';
  if (options.tokens === undefined && !isLoopback(host)) {
    throw new ProcwireError(
      ErrorCode.InvalidArgument,
      `refusing to serve without tokens on ${host}: without tokens only a loopback host is allowed`,
    );
  }
  const limits = options.limits ?? {};
  const gate = new ConnectionGate({
    maxConnections: positiveLimit(limits, 'maxConnections', 1024, 1),
    maxConnectionsPerAddress: positiveLimit(limits, 'maxConnectionsPerAddress', 1024, 1),
    authTimeoutMs: positiveLimit(limits, 'authTimeoutMs', options.tokens === undefined ? 0 : 10_000, 0),
  });
  const service = new ProcwireGrpcService(transport, new TokenAuthenticator(options.tokens), limits, gate);
  const health = new HealthStatus([procwireServiceName]);
  const server = new Server({
    'grpc.max_receive_message_length': limits.maxMessageBytes ?? 4 * 1024 * 1024,
    'grpc.max_send_message_length': -1,
    'grpc.max_concurrent_streams': limits.maxConcurrentStreamsPerConnection ?? 1000,
    'grpc.keepalive_time_ms': 10_000,
    'grpc.keepalive_timeout_ms': 5_000,
    ...options.channelOptions,
    interceptors: [unaryInputGate(), ...((options.channelOptions?.['interceptors'] as ServerInterceptor[] | undefined) ?? [])],
  });
  const maxEnvEntries = positiveLimit(limits, 'maxEnvEntries', DEFAULT_MAX_ENV_ENTRIES, 1);
  const envEntriesCheck = (count: (bytes: Uint8Array) => number) => (bytes: Uint8Array) =>
    validateEnvEntries(count(bytes), maxEnvEntries);
  const handling = {
    start: { precheck: envEntriesCheck(startEnvEntries), deferLarge: true },
    exec: { precheck: envEntriesCheck(execEnvEntries), deferLarge: true },
  };
  server.addService(withTolerantDeserializers(procwireService, handling), service.implementation);
  server.addService(HealthService, health.implementation);
  if (options.reflection ?? true) await addReflection(server);

  const credentials: GrpcServerCredentials =
    options.tls === undefined
      ? ServerCredentials.createInsecure()
      : ServerCredentials.createSsl(
          options.tls.ca === undefined ? null : pemBuffer(options.tls.ca),
          [{ cert_chain: pemBuffer(options.tls.cert), private_key: pemBuffer(options.tls.key) }],
          options.tls.requireClientCert ?? false,
        );
  const hostPart = isIP(host) === 6 ? `[${host}]` : host;
  // We own the listening socket (grpc-js gets each admitted connection through an injector), so
  // connections are counted and closed before HTTP/2 or TLS spends anything on them.
  const injector = server.createConnectionInjector(credentials);
  const listener = createNetServer({ noDelay: true }, (socket) => {
    socket.on('error', () => {});
    if (gate.admit(socket)) injector.injectConnection(socket);
  });
  const port = await new Promise<number>((resolve, reject) => {
    listener.once('error', (error) => {
      injector.destroy();
      server.forceShutdown();
      reject(new ProcwireError(ErrorCode.Unavailable, `cannot listen on ${hostPart}: ${error.message}`));
    });
    listener.listen(options.port ?? 0, host, () => resolve((listener.address() as AddressInfo).port));
  });

  openReceiveWindows(server);

  let closing: Promise<void> | undefined;
  return {
    address: `${hostPart}:${port}`,
    port,
    close() {
      closing ??= (async () => {
        health.shutDown();
        service.shutDown();
        const listenerClosed = new Promise<void>((resolve) => listener.close(() => resolve()));
        await new Promise<void>((resolve) => {
          const force = setTimeout(() => {
            server.forceShutdown();
            resolve();
          }, 2_000);
          server.tryShutdown(() => {
            clearTimeout(force);
            resolve();
          });
        });
        injector.destroy();
        gate.destroyAll();
        await listenerClosed;
      })();
      return closing;
    },
  };
}

/** A limit of `limits` checked as an integer of at least `minimum`, or its default. */
function positiveLimit(limits: GrpcServerLimits, name: keyof GrpcServerLimits, fallback: number, minimum: number): number {
  const value = limits[name];
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < minimum) {
    throw new ProcwireError(ErrorCode.InvalidArgument, `limits.${name} must be an integer >= ${minimum}, got ${String(value)}`);
  }
  return value;
}

/**
 * The HTTP/2 receive window of each connection and of each stream on it. HTTP/2 starts both at
 * 64 KiB, which lets a client send at most 64 KiB of stdin per round trip; grpc-js has an option
 * for this on channels only (`grpc-node.flow_control_window`), so the server sets it itself.
 */
const receiveWindowBytes = 8 * 1024 * 1024;

/** Opens {@link receiveWindowBytes} on every connection `server` accepts from now on. */
function openReceiveWindows(server: Server): void {
  // grpc-js keeps its node:http2 servers in a private map (pinned grpc-js version); without it, the
  // server still works with HTTP/2's default windows.
  const http2Servers = (server as unknown as { http2Servers?: unknown }).http2Servers;
  if (!(http2Servers instanceof Map)) return;
  for (const http2Server of http2Servers.keys() as Iterable<Http2Server>) {
    http2Server.on('session', (session: ServerHttp2Session) => {
      session.setLocalWindowSize(receiveWindowBytes);
      session.settings({ initialWindowSize: receiveWindowBytes });
    });
  }
}

/**
 * Long-lived calls are limited per principal, each kind on its own: `output` (ReadOutput, Wait,
 * WriteInputStream) and `input` (WriteInputCalls, one per client channel), so that a client
 * reading many outputs still has its stdin stream.
 */
type StreamKind = 'output' | 'input';

/** The Procwire service handlers over one transport. */
class ProcwireGrpcService {
  private readonly active = new Set<AbortController>();
  /** Open long-lived calls per principal, one count per kind (see {@link StreamKind}). */
  private readonly streamsByPrincipal: Record<StreamKind, Map<string | undefined, number>> = {
    output: new Map(),
    input: new Map(),
  };
  private closing = false;
  private readonly maxChunk: number;
  private readonly startLimits: StartLimits;

  constructor(
    private readonly transport: Transport,
    private readonly authenticator: TokenAuthenticator,
    private readonly limits: GrpcServerLimits,
    private readonly gate: ConnectionGate,
  ) {
    this.maxChunk = limits.maxOutputChunkBytes ?? 1024 * 1024;
    if (!Number.isSafeInteger(this.maxChunk) || this.maxChunk < 1) {
      throw new ProcwireError(
        ErrorCode.InvalidArgument,
        `limits.maxOutputChunkBytes must be a positive integer, got ${String(limits.maxOutputChunkBytes)}`,
      );
    }
    this.startLimits = {
      ...(limits.maxArgvBytes === undefined ? {} : { maxArgvBytes: limits.maxArgvBytes }),
      ...(limits.maxEnvBytes === undefined ? {} : { maxEnvBytes: limits.maxEnvBytes }),
      ...(limits.maxEnvEntries === undefined ? {} : { maxEnvEntries: limits.maxEnvEntries }),
    };
  }

  /** Ends every open call; new calls answer UNAVAILABLE. */
  shutDown(): void {
    this.closing = true;
    for (const controller of this.active) controller.abort();
  }

  /** Authenticates the call and ties its lifetime to an AbortSignal for the transport. */
  private begin(call: SurfaceCall, longLived?: StreamKind): CallContext {
    if (this.closing) throw new ProcwireError(ErrorCode.Unavailable, 'the server is shutting down');
    const principal = this.authenticator.authenticate(call.metadata);
    this.gate.authenticated(call.getPeer());
    const counts = longLived === undefined ? undefined : this.streamsByPrincipal[longLived];
    if (counts !== undefined) {
      const open = counts.get(principal) ?? 0;
      const max = this.limits.maxStreamsPerPrincipal ?? 256;
      if (open >= max) {
        const what = longLived === 'input' ? 'WriteInputCalls calls' : 'streams';
        throw new ProcwireError(ErrorCode.ResourceExhausted, `too many open ${what}: the limit is ${max} per principal`);
      }
      counts.set(principal, open + 1);
    }
    const controller = new AbortController();
    this.active.add(controller);
    const onCancelled = () => controller.abort();
    call.on('cancelled', onCancelled);
    let ended = false;
    return {
      principal,
      signal: controller.signal,
      options: principal === undefined ? { signal: controller.signal } : { signal: controller.signal, principal },
      end: () => {
        if (ended) return;
        ended = true;
        this.active.delete(controller);
        call.removeListener('cancelled', onCancelled);
        counts?.set(principal, (counts.get(principal) ?? 1) - 1);
      },
    };
  }

  /** The error to send: while closing, everything is UNAVAILABLE so clients retry elsewhere. */
  private failure(error: unknown) {
    if (this.closing) return toServiceError(new ProcwireError(ErrorCode.Unavailable, 'the server is shutting down'));
    return toServiceError(error);
  }

  /** `begin`, or, when the call may not start, its refusal sent through `refuse` and `undefined`. */
  private admit(
    call: SurfaceCall,
    longLived: StreamKind | undefined,
    refuse: (error: ReturnType<typeof toServiceError>) => void,
  ): CallContext | undefined {
    try {
      return this.begin(call, longLived);
    } catch (error) {
      refuse(this.failure(error));
      return undefined;
    }
  }

  private unary<Req, Res>(
    run: (request: Req, context: CallContext) => Promise<Res>,
    longLived?: StreamKind,
  ): handleUnaryCall<Req, Res> {
    return (call, callback) => {
      const context = this.admit(call, longLived, callback);
      if (context === undefined) return;
      Promise.resolve()
        .then(() => decodedRequest(call.request))
        .then((request) => run(request, context))
        .then(
          (response) => {
            context.end();
            callback(null, response);
          },
          (error: unknown) => {
            context.end();
            callback(this.failure(error));
          },
        );
    };
  }

  private readonly readOutput: handleServerStreamingCall<pb.ReadOutputRequest, pb.OutputChunk> = (call) => {
    const context = this.admit(call, 'output', (error) => call.emit('error', error));
    if (context === undefined) return;
    this.streamOutput(call, context).then(
      () => {
        context.end();
        call.end();
      },
      (error: unknown) => {
        context.end();
        if (!call.cancelled) call.emit('error', this.failure(error));
      },
    );
  };

  private async streamOutput(
    call: ServerWritableStream<pb.ReadOutputRequest, pb.OutputChunk>,
    context: CallContext,
  ): Promise<void> {
    checkDecoded(call.request);
    const chunks = this.transport.readOutput(readOutputRequestFrom(call.request), context.options);
    const unsent = new UnsentBytes(Math.max(unsentOutputLimit, 2 * this.maxChunk));
    for await (const batch of outputBatches(chunks, this.maxChunk)) {
      let size = 0;
      for (const part of batch.parts) size += part.byteLength;
      // The wire codec joins the batch's parts into one message; the grpc-js type only knows OutputChunk.
      const written = call.write(batch as unknown as pb.OutputChunk, unsent.add(size));
      // Backpressure: stop pulling from the transport until HTTP/2 has sent what we wrote.
      if (!written) await once(call, 'drain', { signal: context.signal });
      await unsent.belowLimit(context.signal);
      if (context.signal.aborted) break;
    }
  }

  private readonly writeInputStream: handleClientStreamingCall<pb.WriteInputRequest, pb.WriteInputResponse> = (
    call,
    callback,
  ) => {
    const context = this.admit(call, 'output', callback);
    if (context === undefined) return;
    this.applyInputStream(call, context).then(
      (result) => {
        context.end();
        callback(null, result);
      },
      (error: unknown) => {
        context.end();
        callback(this.failure(error));
      },
    );
  };

  private async applyInputStream(
    call: ServerReadableStream<pb.WriteInputRequest, pb.WriteInputResponse>,
    context: CallContext,
  ): Promise<WriteInputResult> {
    let result: WriteInputResult | undefined;
    for await (const request of call as AsyncIterable<pb.WriteInputRequest>) {
      result = await this.writeInput(request, context);
    }
    if (result === undefined) throw new ProcwireError(ErrorCode.InvalidArgument, 'WriteInputStream sent no message');
    return result;
  }

  private readonly writeInputCalls: handleBidiStreamingCall<DecodedInputCall, pb.InputCallResult> = (call) => {
    const context = this.admit(call, 'input', (error) => call.emit('error', error));
    if (context === undefined) return;
    // Every write in flight on this call (up to a thousand) listens to its signal while it waits.
    setMaxListeners(0, context.signal);
    serveInputCalls(call, {
      signal: context.signal,
      apply: (write, invalid) => {
        if (invalid !== undefined) return Promise.reject(new ProcwireError(ErrorCode.InvalidArgument, invalid));
        if (write === undefined) {
          return Promise.reject(new ProcwireError(ErrorCode.InvalidArgument, 'the InputCall has no write'));
        }
        return this.writeInput(write, context);
      },
      errorOf: (error) => {
        const { code, details, metadata } = toServiceError(error);
        return { code, message: details, procwireCode: String(metadata?.get(errorCodeTrailer)[0] ?? '') };
      },
    }).then(
      () => {
        context.end();
        // Cancelled by the client: nothing to send. Closing: end with UNAVAILABLE so it reconnects.
        if (this.closing) call.emit('error', this.failure(undefined));
        else if (!call.cancelled) call.end();
      },
      (error: unknown) => {
        context.end();
        if (!call.cancelled) call.emit('error', this.failure(error));
      },
    );
  };

  private writeInput(request: pb.WriteInputRequest, context: CallContext): Promise<WriteInputResult> {
    checkDecoded(request);
    return callTransport(this.transport, 'writeInput', request, context.options);
  }

  readonly implementation: pb.ProcwireServer = {
    start: this.unary(async (request: pb.StartRequest, context) => {
      const start = startRequestFromWire(request);
      return processInfoToWire(await callTransport(this.transport, 'start', start, context.options, this.startLimits));
    }),
    readOutput: this.readOutput,
    ackOutput: this.unary(async (request: pb.AckOutputRequest, context) => {
      await callTransport(this.transport, 'ackOutput', request, context.options);
      return {};
    }),
    writeInput: this.unary((request: pb.WriteInputRequest, context) => this.writeInput(request, context)),
    writeInputStream: this.writeInputStream,
    writeInputCalls: this.writeInputCalls as handleBidiStreamingCall<pb.InputCall, pb.InputCallResult>,
    wait: this.unary(async (request: pb.ProcessRequest, context) => {
      return exitStatusToWire(await callTransport(this.transport, 'wait', request, context.options));
    }, 'output'),
    poll: this.unary(async (request: pb.ProcessRequest, context) => {
      const exit = await callTransport(this.transport, 'poll', request, context.options);
      return exit === null ? { exited: false } : { exited: true, exit: exitStatusToWire(exit) };
    }),
    signal: this.unary(async (request: pb.SignalRequest, context) => {
      await callTransport(this.transport, 'signal', request, context.options);
      return {};
    }),
    resize: this.unary(async (request: pb.ResizeRequest, context) => {
      const size = { cols: request.cols, rows: request.rows };
      await callTransport(this.transport, 'resize', { processId: request.processId, size }, context.options);
      return {};
    }),
    list: this.unary(async (_request: pb.ListRequest, context) => ({
      processes: (await callTransport(this.transport, 'list', undefined, context.options)).map(processInfoToWire),
    })),
    get: this.unary(async (request: pb.ProcessRequest, context) => {
      return processInfoToWire(await callTransport(this.transport, 'get', request, context.options));
    }),
    exec: ((call) =>
      execCallHandler({
        transport: this.transport,
        admit: (surface, refuse) => this.admit(surface, 'output', refuse),
        failure: (error) => this.failure(error),
        maxOutputChunkBytes: this.maxChunk,
        startLimits: this.startLimits,
      })(call)) as handleBidiStreamingCall<pb.ExecRequest, pb.ExecEvent>,
  };
}

