/**
 * The little of a WebSocket the client uses: the WHATWG shape, which both the browser's global
 * `WebSocket` and Node's `ws` provide. Each entry point (Node, browser) supplies a
 * {@link SocketOpener}; everything else is shared.
 */
import type { ProcwireError } from '@procwire/core/transport';

/** A WebSocket as the client sees it. */
export interface ClientSocket {
  binaryType: string;
  readonly readyState: number;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { readonly data: unknown }) => void) | null;
  onclose: ((event: { readonly code: number; readonly reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
}

/** How an entry point opens sockets and explains failed handshakes. */
export interface SocketOpener {
  /** Open a socket offering `procwire.v1` and carrying `token` the way the platform allows. */
  open(url: string, token: string | undefined): ClientSocket;
  /** A precise error for a failed handshake (e.g. HTTP 401), when the platform can tell. */
  failureOf?(event: unknown, url: string): ProcwireError | undefined;
}

/** `WebSocket.OPEN`. */
export const SOCKET_OPEN = 1;

/** The bytes of a binary message, without copying; `undefined` for a text message. */
export function messageBytes(data: unknown): Uint8Array | undefined {
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return undefined;
}
