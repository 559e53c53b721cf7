/**
 * `@procwire/websocket/client` for Node: `websocketTransport({ url, token })`, on the `ws` package.
 * Browsers resolve this subpath to `./browser.js` (the `browser` export condition), which uses the
 * global `WebSocket` and imports nothing from Node.
 */
import type { ConnectionOptions } from 'node:tls';
import type { Transport } from '@procwire/core/transport';
import { ErrorCode, ProcwireError } from '@procwire/core/transport';
import { WebSocket } from 'ws';
import { SUBPROTOCOL } from '../wire/index.js';
import type { SocketOpener } from './client-socket.js';
import { NodeClientSocket } from './node-socket.js';
import type { WebSocketTransportOptions } from './options.js';

export type { WebSocketTransportOptions } from './options.js';
import { createWebSocketTransport } from './websocket-transport.js';

/** Options of the Node `websocketTransport()`: the shared ones plus TLS settings for `wss://`. */
export interface NodeWebSocketTransportOptions extends WebSocketTransportOptions {
  /** For `wss://`: trust these CAs (a self-signed server certificate), present a client certificate, ... */
  readonly tls?: Pick<ConnectionOptions, 'ca' | 'cert' | 'key' | 'servername' | 'rejectUnauthorized'>;
}

/** The largest frame the Node client accepts from a server (the server's frames are far smaller). */
const MAX_INCOMING_FRAME_BYTES = 64 * 1024 * 1024;

function nodeOpener(tls: NodeWebSocketTransportOptions['tls']): SocketOpener {
  return {
    open(url, token) {
      const socket = new WebSocket(url, [SUBPROTOCOL], {
        ...tls,
        perMessageDeflate: false,
        maxPayload: MAX_INCOMING_FRAME_BYTES,
        headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
      });
      return new NodeClientSocket(socket);
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
}

/**
 * A transport that reaches a `serveWebSocket()` server. Connects on the first call; reconnects
 * after a drop (calls in flight reject with `unavailable`, which the core retries from its
 * offsets). `close()` closes the connection; remote processes keep running.
 */
export function websocketTransport(options: NodeWebSocketTransportOptions): Transport {
  return createWebSocketTransport(options, nodeOpener(options.tls));
}
