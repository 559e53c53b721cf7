/**
 * The plain-HTTP side of the server: health, readiness, metrics and the web terminal's files.
 * WebSocket upgrades on the same server are the WebSocket front's business, not this handler's.
 */
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';

/** What the routes need from the app. */
export interface HttpRoutesOptions {
  /** True while the server accepts work; false before start and once shutdown began. */
  readonly isReady: () => boolean;
  /** Prometheus text for `/metrics`. */
  readonly renderMetrics: () => string;
  /** The folder holding the built page (`index.html`, `terminal.js`, `xterm.css`, `favicon.ico`). */
  readonly publicDir: string;
  /** What the page needs to know: where the WebSocket is, and which shell to start. */
  readonly terminalSettings: { readonly websocketPath: string; readonly shell: readonly string[] };
}

const staticFiles: Readonly<Record<string, { readonly file: string; readonly type: string }>> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/index.html': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/terminal.js': { file: 'terminal.js', type: 'text/javascript; charset=utf-8' },
  '/xterm.css': { file: 'xterm.css', type: 'text/css; charset=utf-8' },
  '/favicon.ico': { file: 'favicon.ico', type: 'image/x-icon' },
};

/** The page may talk to its own origin only (the WebSocket included). */
const contentSecurityPolicy =
  "default-src 'self'; connect-src 'self' ws: wss:; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'";

/** Builds the request handler for the HTTP server. */
export function createHttpRoutes(options: HttpRoutesOptions): (request: IncomingMessage, response: ServerResponse) => void {
  return (request, response) => {
    handle(options, request, response).catch(() => {
      if (!response.headersSent) send(response, 500, 'text/plain; charset=utf-8', 'internal error\n');
      else response.destroy();
    });
  };
}

async function handle(options: HttpRoutesOptions, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const path = new URL(request.url ?? '/', 'http://localhost').pathname;
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.setHeader('allow', 'GET, HEAD');
    send(response, 405, 'text/plain; charset=utf-8', 'method not allowed\n');
    return;
  }
  switch (path) {
    case '/healthz':
      send(response, 200, 'text/plain; charset=utf-8', 'ok\n');
      return;
    case '/readyz':
      if (options.isReady()) send(response, 200, 'text/plain; charset=utf-8', 'ready\n');
      else send(response, 503, 'text/plain; charset=utf-8', 'not ready\n');
      return;
    case '/metrics':
      send(response, 200, 'text/plain; version=0.0.4; charset=utf-8', options.renderMetrics());
      return;
    case '/terminal.json':
      send(response, 200, 'application/json', JSON.stringify(options.terminalSettings));
      return;
  }
  const entry = staticFiles[path];
  if (entry === undefined) {
    send(response, 404, 'text/plain; charset=utf-8', `no such page: ${path}\n`);
    return;
  }
  const body = await readFile(join(options.publicDir, entry.file));
  response.setHeader('content-security-policy', contentSecurityPolicy);
  response.setHeader('referrer-policy', 'no-referrer');
  // No other site may frame the terminal (clickjacking keystrokes into it); the second for old browsers.
  response.setHeader('x-frame-options', 'DENY');
  send(response, 200, entry.type, body);
}

function send(response: ServerResponse, status: number, type: string, body: string | Uint8Array): void {
  response.writeHead(status, {
    'content-type': type,
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  response.end(response.req.method === 'HEAD' ? undefined : body);
}
