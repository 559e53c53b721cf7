import type { Transport } from '@procwire/core';
import type { Connection } from './endpoint.js';

// The adapters are imported on demand, so `procwire exec --url ws://...` never loads gRPC.
interface LocalModule {
  localTransport(): Transport;
}
interface GrpcClientModule {
  grpcTransport(options: { address: string; token?: string; tls?: boolean }): Transport;
}
interface WebSocketClientModule {
  websocketTransport(options: { url: string; token?: string }): Transport;
}

/** Build the transport the connection's URL scheme names. */
export async function createTransport(connection: Connection): Promise<Transport> {
  const { endpoint, token } = connection;
  switch (endpoint.kind) {
    case 'local': {
      const { localTransport } = (await import('@procwire/local-pty')) as unknown as LocalModule;
      return localTransport();
    }
    case 'grpc': {
      const { grpcTransport } = (await import('@procwire/grpc/client')) as unknown as GrpcClientModule;
      return grpcTransport({ address: endpoint.address, tls: endpoint.tls, ...(token === undefined ? {} : { token }) });
    }
    case 'websocket': {
      const { websocketTransport } = (await import('@procwire/websocket/client')) as unknown as WebSocketClientModule;
      return websocketTransport({ url: endpoint.url, ...(token === undefined ? {} : { token }) });
    }
  }
}
