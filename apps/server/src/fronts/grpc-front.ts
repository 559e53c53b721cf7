/**
 * The gRPC front: `serveGrpc` from `@procwire/grpc/server`, with a server interceptor that counts
 * calls refused for a missing or wrong token (serveGrpc has no hook for it).
 */
import { type ServerInterceptor, ServerInterceptingCall, status } from '@grpc/grpc-js';
import { serveGrpc } from '@procwire/grpc/server';
import type { StartGrpcFront } from './front.js';

/** Starts `serveGrpc` with the app's tokens, TLS, idle timeout and auth-failure counting. */
export const grpcFront: StartGrpcFront = async (transport, options) => {
  const countAuthFailures: ServerInterceptor = (_method, call) =>
    new ServerInterceptingCall(call, {
      sendStatus(sent, next) {
        if (sent.code === status.UNAUTHENTICATED) options.onAuthFailure();
        next(sent);
      },
    });
  const server = await serveGrpc(transport, {
    host: options.host,
    port: options.port,
    tokens: options.tokens,
    ...(options.tls === undefined ? {} : { tls: options.tls }),
    limits: {
      maxArgvBytes: options.maxArgvBytes,
      maxEnvBytes: options.maxEnvBytes,
      maxEnvEntries: options.maxEnvEntries,
      // Sized from the limits, so an oversized Start is refused before it is decoded (a client's
      // stdin chunk, 256 KiB, fits well).
      maxMessageBytes: Math.max(1024 * 1024, options.maxArgvBytes + options.maxEnvBytes + 64 * 1024),
      maxConnections: options.maxConnections,
      maxConnectionsPerAddress: options.maxConnectionsPerAddress,
      authTimeoutMs: options.authTimeoutMs,
    },
    channelOptions: {
      interceptors: [countAuthFailures],
      ...(options.idleTimeoutMs > 0 ? { 'grpc.max_connection_idle_ms': options.idleTimeoutMs } : {}),
    },
  });
  return { address: server.address, close: () => server.close() };
};
