/**
 * `@procwire/websocket/client` for browsers: `websocketTransport({ url, token })` on the global
 * `WebSocket`. Imports nothing from Node. The token travels as the subprotocol
 * `procwire.token.<base64url>`, since a browser cannot set an `Authorization` header.
 */
import type { Transport } from '@procwire/core/transport';
import { SUBPROTOCOL, tokenSubprotocol } from '../wire/index.js';
import type { ClientSocket, SocketOpener } from './client-socket.js';
import type { WebSocketTransportOptions } from './options.js';
import { createWebSocketTransport } from './websocket-transport.js';

export type { WebSocketTransportOptions } from './options.js';

const browserOpener: SocketOpener = {
  open(url, token) {
    const protocols = token === undefined ? [SUBPROTOCOL] : [SUBPROTOCOL, tokenSubprotocol(token)];
    const socket = new WebSocket(url, protocols);
    socket.binaryType = 'arraybuffer';
    return socket as unknown as ClientSocket;
  },
};

/**
 * A transport that reaches a `serveWebSocket()` server from a browser. A browser cannot see why a
 * handshake failed, so a refused token shows as `unavailable` there (Node reports
 * `unauthenticated`).
 */
export function websocketTransport(options: WebSocketTransportOptions): Transport {
  return createWebSocketTransport(options, browserOpener);
}
