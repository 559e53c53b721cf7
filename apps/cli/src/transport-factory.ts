import type { Transport } from '@procwire/core';
import type { Connection } from './endpoint.js';

/**
 * Build the transport the connection's URL scheme names. Adapters are imported on demand, so
 * `procwire exec --url ws://...` never loads gRPC and a local exec loads no network code.
 */
export async function createTransport(connection: Connection): Promise<Transport> {
  const { endpoint, token } = connection;
  const auth = token === undefined ? {} : { token };
  switch (endpoint.kind) {
    case 'local': {
      const { localTransport } = await import('@procwire/local-pty');
      return localTransport();
    }
    case 'grpc': {
      const { grpcTransport } = await import('@procwire/grpc/client');
      return grpcTransport({ address: endpoint.address, ...(endpoint.tls ? { tls: true } : {}), ...auth });
    }
    case 'websocket': {
      const { websocketTransport } = await import('@procwire/websocket/client');
      return websocketTransport({ url: endpoint.url, ...auth });
    }
  }
}
