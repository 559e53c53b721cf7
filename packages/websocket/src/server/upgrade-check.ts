/**
 * Decides whether an HTTP upgrade becomes a `procwire.v1` connection, before any WebSocket
 * exists: the wrong path, a missing subprotocol or a bad token get an HTTP error and no socket.
 */
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { SUBPROTOCOL, TOKEN_SUBPROTOCOL_PREFIX, tokenFromSubprotocol } from '../wire/index.js';
import type { TokenTable } from '@procwire/core/transport';

/** The verdict on an upgrade. */
export type UpgradeVerdict =
  | { readonly accept: true; readonly principal: string | undefined }
  | { readonly accept: false; readonly status: 400 | 401 | 403 | 404; readonly message: string };

/** True for 127.0.0.0/8, ::1 and IPv4-mapped loopback. */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (address === undefined) return false;
  const plain = address.startsWith('::ffff:') ? address.slice(7) : address;
  if (isIP(plain) === 4) return plain.startsWith('127.');
  return plain === '::1';
}

/** The subprotocol entries a client offered. */
export function offeredSubprotocols(request: IncomingMessage): string[] {
  const header = request.headers['sec-websocket-protocol'];
  if (header === undefined) return [];
  return header
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
}

/**
 * Whether a browser page of `origin` may open this connection. Clients that send no `Origin`
 * (programs, not pages) always may. Otherwise: the origin must be listed in `allowedOrigins`;
 * without a list, a server with tokens takes its own origin (the `Host` the request names) and a
 * server without tokens takes none, since any page the user visits could reach it.
 */
export function originAllowed(
  request: IncomingMessage,
  allowedOrigins: readonly string[] | undefined,
  hasTokens: boolean,
): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  if (allowedOrigins !== undefined) return allowedOrigins.includes(origin);
  if (!hasTokens) return false;
  const host = request.headers.host;
  if (host === undefined) return false;
  const secure = (request.socket as { encrypted?: boolean }).encrypted === true;
  return origin.toLowerCase() === `${secure ? 'https' : 'http'}://${host.toLowerCase()}`;
}

/** Check path, subprotocol, origin and token of an upgrade request. */
export function checkUpgrade(
  request: IncomingMessage,
  path: string,
  tokens: TokenTable | undefined,
  allowedOrigins?: readonly string[],
): UpgradeVerdict {
  const pathname = new URL(request.url ?? '/', 'http://localhost').pathname;
  if (pathname !== path) return { accept: false, status: 404, message: `no procwire endpoint at ${pathname}` };
  if (!originAllowed(request, allowedOrigins, tokens !== undefined)) {
    return { accept: false, status: 403, message: `pages of origin ${request.headers.origin ?? ''} may not connect here` };
  }
  const offered = offeredSubprotocols(request);
  if (!offered.includes(SUBPROTOCOL)) {
    return { accept: false, status: 400, message: `the client must offer the subprotocol ${SUBPROTOCOL}` };
  }
  if (tokens === undefined) {
    if (!isLoopbackAddress(request.socket.localAddress)) {
      return { accept: false, status: 403, message: 'a server without tokens only takes loopback connections' };
    }
    return { accept: true, principal: undefined };
  }
  const token = bearerToken(request) ?? subprotocolToken(offered);
  if (token === undefined) return { accept: false, status: 401, message: 'a bearer token is required' };
  const principal = tokens.principalOf(token);
  if (principal === undefined) return { accept: false, status: 401, message: 'the token is not valid' };
  return { accept: true, principal };
}

function bearerToken(request: IncomingMessage): string | undefined {
  const header = request.headers.authorization;
  if (header === undefined) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

function subprotocolToken(offered: readonly string[]): string | undefined {
  const entry = offered.find((item) => item.startsWith(TOKEN_SUBPROTOCOL_PREFIX));
  return entry === undefined ? undefined : tokenFromSubprotocol(entry);
}
