/**
 * `serveWebSocket(transport, options)`: serve any procwire `Transport` over `procwire.v1`, on a
 * server of its own or attached to an existing `http`/`https` server.
 */
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server as HttpServer,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer, Server as HttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { TokenTable, type Transport } from '@procwire/core/transport';
import { WebSocketServer } from 'ws';
import { CloseCode, SUBPROTOCOL } from '../wire/index.js';
import { ConnectionSession } from './connection-session.js';
import { resolveLimits, type ServeWebSocketOptions } from './options.js';
import { checkUpgrade, isLoopbackAddress } from './upgrade-check.js';

/** A running server. */
export interface WebSocketServerHandle {
  /** The endpoint, e.g. `'ws://127.0.0.1:43122/procwire'`. */
  readonly url: string;
  /** The port the HTTP server listens on. */
  readonly port: number;
  /**
   * Close every connection (code 1001) and stop serving; closes the HTTP server only when it is
   * our own. Does not close the served transport (it is yours). Idempotent.
   */
  close(): Promise<void>;
}

const statusText = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found' } as const;
/** How long `close()` lets clients answer the close handshake before cutting them. */
const CLOSE_GRACE_MS = 1000;

/** Serve `transport` over WebSocket. Resolves once the server listens. */
export async function serveWebSocket(
  transport: Transport,
  options: ServeWebSocketOptions = {},
): Promise<WebSocketServerHandle> {
  const limits = resolveLimits(options.limits);
  const path = options.path ?? '/procwire';
  if (!path.startsWith('/')) throw new TypeError(`serveWebSocket: path must start with "/", got ${JSON.stringify(path)}`);
  const tokens = options.tokens === undefined ? undefined : tokenTableOf(options.tokens);
  const host = options.host ?? '127.0.0.1';
  const ownServer = options.server === undefined;
  if (options.allowedOrigins !== undefined) {
    for (const origin of options.allowedOrigins) {
      if (typeof origin !== 'string' || !/^[a-z][a-z0-9+.-]*:\/\/[^/\s]+$/i.test(origin)) {
        throw new TypeError(`serveWebSocket: allowedOrigins holds ${JSON.stringify(origin)}, not an origin like "https://example.com"`);
      }
    }
  }
  if (ownServer && tokens === undefined && !isLoopbackHost(host)) {
    throw new TypeError(`serveWebSocket: without tokens the server only listens on loopback, not ${host}`);
  }
  const server: HttpServer | HttpsServer =
    options.server ?? (options.tls === undefined ? createHttpServer() : createHttpsServer(options.tls));
  const secure = server instanceof HttpsServer;

  const sockets = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    maxPayload: limits.maxFrameBytes,
    clientTracking: true,
    // Answer with procwire.v1 only: never echo a token entry back.
    handleProtocols: () => SUBPROTOCOL,
  });

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => {});
    const verdict = checkUpgrade(request, path, tokens, options.allowedOrigins);
    if (!verdict.accept) {
      // Another handler on a shared server may own this path.
      if (verdict.status === 404 && server.listenerCount('upgrade') > 1) return;
      refuse(socket, verdict.status, verdict.message);
      return;
    }
    sockets.handleUpgrade(request, socket, head, (webSocket) => {
      new ConnectionSession(webSocket, transport, verdict.principal, limits);
      options.onAccepted?.(socket);
    });
  };
  server.on('upgrade', onUpgrade);

  const onRequest = ownServer
    ? (request: IncomingMessage, response: ServerResponse) => {
        const pathname = new URL(request.url ?? '/', 'http://localhost').pathname;
        const status = pathname === path ? 426 : 404;
        response.writeHead(status, { 'content-type': 'text/plain', connection: 'close' });
        response.end(status === 426 ? `use a WebSocket with subprotocol ${SUBPROTOCOL}\n` : 'not found\n');
      }
    : undefined;
  if (onRequest !== undefined) server.on('request', onRequest);

  if (ownServer) {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  }

  const address = () => {
    const info = server.address() as AddressInfo | null;
    if (info === null) throw new Error('serveWebSocket: the HTTP server is not listening');
    return info;
  };
  let closing: Promise<void> | undefined;
  return {
    get port() {
      return address().port;
    },
    get url() {
      const info = address();
      const hostname = info.family === 'IPv6' ? `[${info.address}]` : info.address;
      return `${secure ? 'wss' : 'ws'}://${hostname}:${info.port}${path}`;
    },
    close() {
      closing ??= (async () => {
        server.off('upgrade', onUpgrade);
        if (onRequest !== undefined) server.off('request', onRequest);
        const open = [...sockets.clients];
        for (const client of open) client.close(CloseCode.GoingAway, 'server closing');
        await Promise.all(
          open.map(
            (client) =>
              new Promise<void>((resolve) => {
                if (client.readyState === client.CLOSED) return resolve();
                const timer = setTimeout(() => client.terminate(), CLOSE_GRACE_MS);
                client.once('close', () => {
                  clearTimeout(timer);
                  resolve();
                });
              }),
          ),
        );
        await new Promise<void>((resolve) => sockets.close(() => resolve()));
        if (ownServer) {
          await new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeAllConnections();
          });
        }
      })();
      return closing;
    },
  };
}

function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || isLoopbackAddress(host);
}

/** Answer an upgrade with an HTTP error and close the socket: no WebSocket is made. */
function refuse(socket: Duplex, status: keyof typeof statusText, message: string): void {
  const body = `${message}\n`;
  const headers = [
    `HTTP/1.1 ${status} ${statusText[status]}`,
    'Connection: close',
    'Content-Type: text/plain; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    ...(status === 401 ? ['WWW-Authenticate: Bearer'] : []),
  ];
  socket.end(`${headers.join('\r\n')}\r\n\r\n${body}`);
  (socket as Socket).destroySoon?.();
}

/** The core token table of `tokens`, refused (as every bad option is) with a `TypeError` naming it. */
function tokenTableOf(tokens: Readonly<Record<string, string>>): TokenTable {
  let table: TokenTable;
  try {
    table = new TokenTable(tokens);
  } catch (error) {
    throw new TypeError(`serveWebSocket: tokens: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (table.size === 0) throw new TypeError('serveWebSocket: tokens must hold at least one token');
  return table;
}
