/**
 * `@procwire/websocket/client` for Node: `websocketTransport({ url, token })`, on the `ws` package.
 * Browsers resolve this subpath to `./browser.js` (the `browser` export condition), which uses the
 * global `WebSocket` and imports nothing from Node.
 */
import type { Transport } from '@procwire/core/transport';
import { ErrorCode, ProcwireError } from '@procwire/core/transport';
import { WebSocket } from 'ws';
import { SUBPROTOCOL } from '../wire/index.js';
import type { ClientSocket, SocketOpener } from './client-socket.js';
import type { WebSocketTransportOptions } from './options.js';
import { createWebSocketTransport } from './websocket-transport.js';

export type { WebSocketTransportOptions } from './options.js';

/** The largest frame the Node client accepts from a server (the server's frames are far smaller). */
const MAX_INCOMING_FRAME_BYTES = 64 * 1024 * 1024;

const nodeOpener: SocketOpener = {
  open(url, token) {
    const socket = new WebSocket(url, [SUBPROTOCOL], {
      perMessageDeflate: false,
      maxPayload: MAX_INCOMING_FRAME_BYTES,
      headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
    });
    return socket as unknown as ClientSocket;
  },
  failureOf(event, url) {
    const message = String((event as { message?: unknown }).message ?? '');
    const status = /Unexpected server response: (\d+)/.exec(message)?.[1];
    if (status === '401') return new ProcwireError(ErrorCode.Unauthenticated, `${url} refused the token (HTTP 401)`);
    if (status === '403') return new ProcwireError(ErrorCode.PermissionDenied, `${url} refused the connection (HTTP 403)`);
    if (status === '400' || status === '404') {
      return new ProcwireError(
        ErrorCode.InvalidArgument,
        `${url} is not a procwire.v1 endpoint (HTTP ${status}): check the URL's path`,
      );
    }
    return undefined;
  },
};

/**
 * A transport that reaches a `serveWebSocket()` server. Connects on the first call; reconnects
 * after a drop (calls in flight reject with `unavailable`, which the core retries from its
 * offsets). `close()` closes the connection; remote processes keep running.
 */
export function websocketTransport(options: WebSocketTransportOptions): Transport {
  return createWebSocketTransport(options, nodeOpener);
}
