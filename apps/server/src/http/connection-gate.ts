/**
 * Admission of connections to the HTTP server (web terminal, /metrics, /healthz, WebSocket): at
 * most `maxConnections` open, at most `maxConnectionsPerAddress` from one peer IP, and a deadline:
 * a connection that has not become an authenticated WebSocket by `authTimeoutMs` is closed once
 * no request is in flight on it. Idle connections then cannot hold the descriptors that clients
 * being served need.
 */
import type { Server as HttpServer, IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';

/** The bounds of an {@link HttpConnectionGate}. */
export interface HttpConnectionLimits {
  readonly maxConnections: number;
  readonly maxConnectionsPerAddress: number;
  /** 0: no deadline. */
  readonly authTimeoutMs: number;
}

interface Admitted {
  readonly socket: Socket;
  readonly address: string;
  timer: NodeJS.Timeout | undefined;
  /** The deadline passed: close as soon as no request is in flight. */
  expired: boolean;
  requestsInFlight: number;
}

/** Counts, refuses and expires connections of one HTTP server; see the module comment. */
export class HttpConnectionGate {
  readonly #limits: HttpConnectionLimits;
  /** `remoteAddress:remotePort` -> connection: the same key for a TLS socket and the TCP one under it. */
  readonly #open = new Map<string, Admitted>();
  readonly #perAddress = new Map<string, number>();
  /** Connections refused for a bound, since start (for /metrics). */
  refused = 0;
  /** Connections closed at the auth deadline, since start. */
  expired = 0;

  constructor(limits: HttpConnectionLimits) {
    this.#limits = limits;
  }

  /** Open connections now. */
  get size(): number {
    return this.#open.size;
  }

  /** Installs the gate: it sees each connection before the HTTP parser does. */
  attach(server: HttpServer): void {
    server.prependListener('connection', (socket: Socket) => this.#admit(socket));
    server.prependListener('request', (request: IncomingMessage, response: ServerResponse) => {
      const admitted = this.#open.get(peerOf(request.socket));
      if (admitted === undefined) return;
      admitted.requestsInFlight++;
      response.once('close', () => {
        admitted.requestsInFlight--;
        if (admitted.expired && admitted.requestsInFlight === 0) admitted.socket.destroy();
      });
    });
  }

  /** `socket` became an authenticated WebSocket: it may stay past the deadline. */
  authenticated(socket: Duplex): void {
    const admitted = this.#open.get(peerOf(socket as Socket));
    if (admitted === undefined) return;
    clearTimeout(admitted.timer);
    admitted.timer = undefined;
  }

  #admit(socket: Socket): void {
    const address = socket.remoteAddress ?? 'unknown';
    const fromAddress = this.#perAddress.get(address) ?? 0;
    if (this.#open.size >= this.#limits.maxConnections || fromAddress >= this.#limits.maxConnectionsPerAddress) {
      this.refused++;
      socket.destroy();
      return;
    }
    const peer = peerOf(socket);
    const admitted: Admitted = { socket, address, timer: undefined, expired: false, requestsInFlight: 0 };
    if (this.#limits.authTimeoutMs > 0) {
      admitted.timer = setTimeout(() => {
        admitted.timer = undefined;
        admitted.expired = true;
        this.expired++;
        if (admitted.requestsInFlight === 0) socket.destroy();
      }, this.#limits.authTimeoutMs);
      admitted.timer.unref();
    }
    this.#open.set(peer, admitted);
    this.#perAddress.set(address, fromAddress + 1);
    socket.once('close', () => {
      clearTimeout(admitted.timer);
      if (this.#open.get(peer) === admitted) this.#open.delete(peer);
      const left = (this.#perAddress.get(address) ?? 1) - 1;
      if (left === 0) this.#perAddress.delete(address);
      else this.#perAddress.set(address, left);
    });
  }
}

function peerOf(socket: Socket): string {
  return `${socket.remoteAddress ?? ''}:${socket.remotePort ?? ''}`;
}
