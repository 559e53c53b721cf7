/**
 * Admission of TCP connections to the gRPC server: at most `maxConnections` open, at most
 * `maxConnectionsPerAddress` from one peer IP, and a deadline by which a connection must have made
 * an authenticated call, so idle or unauthenticated connections cannot use up the descriptors
 * that authenticated clients need.
 */
import type { Socket } from 'node:net';

/** The bounds a {@link ConnectionGate} applies. */
export interface ConnectionGateLimits {
  readonly maxConnections: number;
  readonly maxConnectionsPerAddress: number;
  /** 0: no deadline. */
  readonly authTimeoutMs: number;
}

interface Admitted {
  readonly address: string;
  timer: NodeJS.Timeout | undefined;
}

/** Counts open connections, refuses those over a bound, closes those that never authenticate. */
export class ConnectionGate {
  readonly #limits: ConnectionGateLimits;
  readonly #open = new Map<Socket, Admitted>();
  /** `remoteAddress:remotePort` (as grpc-js names a call's peer) -> socket. */
  readonly #byPeer = new Map<string, Socket>();
  readonly #perAddress = new Map<string, number>();

  constructor(limits: ConnectionGateLimits) {
    this.#limits = limits;
  }

  /** Open connections now. */
  get size(): number {
    return this.#open.size;
  }

  /** Takes `socket` in (true), or destroys it at once when a bound is reached (false). */
  admit(socket: Socket): boolean {
    const address = socket.remoteAddress ?? 'unknown';
    const fromAddress = this.#perAddress.get(address) ?? 0;
    if (this.#open.size >= this.#limits.maxConnections || fromAddress >= this.#limits.maxConnectionsPerAddress) {
      socket.destroy();
      return false;
    }
    const peer = `${address}:${socket.remotePort ?? ''}`;
    const admitted: Admitted = { address, timer: undefined };
    if (this.#limits.authTimeoutMs > 0) {
      admitted.timer = setTimeout(() => socket.destroy(), this.#limits.authTimeoutMs);
      admitted.timer.unref();
    }
    this.#open.set(socket, admitted);
    this.#byPeer.set(peer, socket);
    this.#perAddress.set(address, fromAddress + 1);
    socket.once('close', () => {
      clearTimeout(admitted.timer);
      this.#open.delete(socket);
      if (this.#byPeer.get(peer) === socket) this.#byPeer.delete(peer);
      const left = (this.#perAddress.get(address) ?? 1) - 1;
      if (left === 0) this.#perAddress.delete(address);
      else this.#perAddress.set(address, left);
    });
    return true;
  }

  /** The connection of `peer` (a call's `getPeer()`) made an authenticated call: no deadline any more. */
  authenticated(peer: string): void {
    const socket = this.#byPeer.get(peer);
    const admitted = socket === undefined ? undefined : this.#open.get(socket);
    if (admitted?.timer === undefined) return;
    clearTimeout(admitted.timer);
    admitted.timer = undefined;
  }

  /** Destroys every open connection. */
  destroyAll(): void {
    for (const socket of this.#open.keys()) socket.destroy();
  }
}
