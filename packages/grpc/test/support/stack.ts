/**
 * A real stack for tests: localTransport() served by serveGrpc() on 127.0.0.1, optionally behind
 * the fault proxy, and helpers to build clients against it.
 */
import { startFaultProxy } from '@procwire/fault-proxy';
import { type GrpcTransportOptions, grpcTransport } from '@procwire/grpc/client';
import { type GrpcServer, type ServeGrpcOptions, serveGrpc } from '@procwire/grpc/server';
import type { Transport } from '@procwire/core/transport';
import { localTransport } from '@procwire/local-pty';

export type FaultProxy = Awaited<ReturnType<typeof startFaultProxy>>;

export interface Stack {
  readonly host: Transport;
  readonly server: GrpcServer;
  readonly proxy: FaultProxy | undefined;
  /** Where clients connect: the proxy when there is one, else the server. */
  readonly address: string;
  /** A client transport to `address` (closed by `close()`). */
  transport(options?: Omit<GrpcTransportOptions, 'address'>): Transport;
  close(): Promise<void>;
}

export async function startStack(
  options: ServeGrpcOptions & {
    readonly proxy?: boolean;
    readonly host?: string;
    /** Wraps the host before it is served (the conformance suite's `observeHost`). */
    readonly observe?: (host: Transport) => Transport;
  } = {},
): Promise<Stack> {
  const host = localTransport();
  const served = options.observe?.(host) ?? host;
  const server = await serveGrpc(served, { host: '127.0.0.1', port: 0, ...options }).catch(async (error: unknown) => {
    await host.close();
    throw error;
  });
  const proxy = options.proxy
    ? await startFaultProxy({ targetHost: '127.0.0.1', targetPort: server.port })
    : undefined;
  const address = proxy?.address ?? server.address;
  const clients: Transport[] = [];
  return {
    host,
    server,
    proxy,
    address,
    transport(clientOptions = {}) {
      const transport = grpcTransport({ address, ...clientOptions });
      clients.push(transport);
      return transport;
    },
    async close() {
      await Promise.all(clients.map((client) => client.close()));
      await proxy?.close();
      await server.close();
      await host.close();
    },
  };
}
