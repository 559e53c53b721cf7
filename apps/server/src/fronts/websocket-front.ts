/**
 * The WebSocket front: `serveWebSocket` from `@procwire/websocket/server`, attached to the app's
 * HTTP server. It also answers upgrades on other paths (404), and counts upgrades refused with 401
 * (serveWebSocket has no hook for it, so we watch the refusal it writes).
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { serveWebSocket } from '@procwire/websocket/server';
import type { StartWebSocketFront } from './front.js';

/** Starts `serveWebSocket` on the app's server at `options.path`. */
export const websocketFront: StartWebSocketFront = async (transport, options) => {
  const { server, path } = options;
  const onUpgrade = (request: IncomingMessage, socket: Duplex): void => {
    const pathname = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (pathname !== path) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    watchForUnauthorized(socket, options.onAuthFailure);
  };
  // Ours runs first, so the refusal below is seen as it is written.
  server.prependListener('upgrade', onUpgrade);
  const handle = await serveWebSocket(transport, {
    server,
    path,
    tokens: options.tokens,
    limits: {
      idleTimeoutMs: options.idleTimeoutMs,
      maxArgvBytes: options.maxArgvBytes,
      maxEnvBytes: options.maxEnvBytes,
      maxEnvEntries: options.maxEnvEntries,
      maxPendingInputBytes: options.maxPendingInputBytes,
      // A Start frame carries argv and env as JSON (escapes can double them) plus the header.
      maxFrameBytes: Math.max(1024 * 1024 + 16, 2 * (options.maxArgvBytes + options.maxEnvBytes) + 64 * 1024),
    },
    ...(options.allowedOrigins === undefined ? {} : { allowedOrigins: options.allowedOrigins }),
    onAccepted: options.onAuthenticated,
  });
  return {
    address: options.url,
    async close() {
      server.off('upgrade', onUpgrade);
      await handle.close();
    },
  };
};

/** Calls `onUnauthorized` if the first thing written on the socket is an HTTP 401 answer. */
function watchForUnauthorized(socket: Duplex, onUnauthorized: () => void): void {
  const originalEnd = socket.end;
  const originalWrite = socket.write;
  const inspect = (chunk: unknown): void => {
    socket.end = originalEnd;
    socket.write = originalWrite;
    const text = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('latin1', 0, 16) : '';
    if (text.startsWith('HTTP/1.1 401')) onUnauthorized();
  };
  socket.end = function (this: Duplex, ...args: Parameters<Duplex['end']>) {
    inspect(args[0]);
    return originalEnd.apply(this, args);
  } as Duplex['end'];
  socket.write = function (this: Duplex, ...args: Parameters<Duplex['write']>) {
    inspect(args[0]);
    return originalWrite.apply(this, args);
  } as Duplex['write'];
}
