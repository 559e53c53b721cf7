/** Options of `serveWebSocket()`, with their defaults. */
import type { Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Server as HttpsServer, ServerOptions as TlsServerOptions } from 'node:https';
import { DEFAULT_MAX_ENV_ENTRIES } from '@procwire/core/transport';

/** Every limit the server applies; each answers with a clear error and leaves the server running. */
export interface WebSocketServerLimits {
  /** The largest frame accepted, header included; larger closes with 1009. Default 1 MiB + 16. */
  readonly maxFrameBytes?: number;
  /**
   * Bytes queued on one connection's socket before the server stops pulling output from the
   * transport (and stops reading that client's frames) until the socket drains. Default 1 MiB.
   */
  readonly maxBufferedBytes?: number;
  /** Calls in flight on one connection; more answer `resource_exhausted`. Default 1024. */
  readonly maxCallsPerConnection?: number;
  /** The largest read window a client may ask for (larger is clamped). Default 16 MiB. */
  readonly maxReadWindowBytes?: number;
  /** The most argv bytes of a start (UTF-8, one NUL per item). Default 256 KiB. */
  readonly maxArgvBytes?: number;
  /** Close a connection with 4000 after this long with no frame and no call in flight. Default 15 min; 0 = never. */
  readonly idleTimeoutMs?: number;
  /**
   * Stdin bytes in `Write` frames of one connection that the transport has not answered yet; a
   * `Write` past it answers `resource_exhausted` (so a client cannot park unbounded input here).
   * Default 8 MiB.
   */
  readonly maxPendingInputBytes?: number;
  /** The most env bytes of a start (`NAME=value` plus a NUL each). Default 256 KiB. */
  readonly maxEnvBytes?: number;
  /**
   * The most env entries of a start. Default 4096. Counted in the frame before its JSON is parsed,
   * so a start of many tiny entries does not stall the server.
   */
  readonly maxEnvEntries?: number;
}

/** Options of `serveWebSocket()`. */
export interface ServeWebSocketOptions {
  /**
   * Attach to this existing `http`/`https` server instead of making one: the server handles the
   * upgrades of `path` and leaves every other request alone. `host`, `port` and `tls` are then
   * ignored, and `close()` does not close this server.
   */
  readonly server?: HttpServer | HttpsServer;
  /** Interface to listen on; default `'127.0.0.1'`. Without `tokens`, only a loopback host is allowed. */
  readonly host?: string;
  /** Port; default 0 (any free port, see `handle.port`). */
  readonly port?: number;
  /** The URL path of the endpoint; default `'/procwire'`. */
  readonly path?: string;
  /**
   * Token -> principal. A client presents a token (`Authorization: Bearer`, or the subprotocol
   * `procwire.token.<base64url>`); the principal it names owns the processes it starts. Without
   * tokens, every caller is the same anonymous principal and only loopback connections are taken.
   */
  readonly tokens?: Readonly<Record<string, string>>;
  /** Serve `wss://` with these TLS options (`key`, `cert`, ...) on a server of our own. */
  readonly tls?: TlsServerOptions;
  readonly limits?: WebSocketServerLimits;
  /**
   * Origins (`https://example.com`) whose pages may connect. Clients that send no `Origin` header
   * (programs) are always taken. Default: with `tokens`, the server's own origin (the request's
   * `Host`); without tokens, no page at all.
   */
  readonly allowedOrigins?: readonly string[];
  /** Called with the socket of each connection accepted (authenticated, when there are tokens). */
  readonly onAccepted?: (socket: Duplex) => void;
}

/** Limits with every default applied. */
export interface ResolvedLimits {
  readonly maxFrameBytes: number;
  readonly maxBufferedBytes: number;
  readonly maxCallsPerConnection: number;
  readonly maxReadWindowBytes: number;
  readonly maxArgvBytes: number;
  readonly idleTimeoutMs: number;
  readonly maxPendingInputBytes: number;
  readonly maxEnvBytes: number;
  readonly maxEnvEntries: number;
}

/** Check limits and fill in defaults; throws `TypeError` naming a bad limit. */
export function resolveLimits(limits: WebSocketServerLimits = {}): ResolvedLimits {
  const pick = (name: keyof WebSocketServerLimits, fallback: number, min: number): number => {
    const value = limits[name];
    if (value === undefined) return fallback;
    if (!Number.isSafeInteger(value) || value < min) {
      throw new TypeError(`serveWebSocket: limits.${name} must be an integer >= ${min}, got ${value}`);
    }
    return value;
  };
  return {
    maxFrameBytes: pick('maxFrameBytes', 1024 * 1024 + 16, 1024),
    maxBufferedBytes: pick('maxBufferedBytes', 1024 * 1024, 1),
    maxCallsPerConnection: pick('maxCallsPerConnection', 1024, 1),
    maxReadWindowBytes: pick('maxReadWindowBytes', 16 * 1024 * 1024, 1),
    maxArgvBytes: pick('maxArgvBytes', 256 * 1024, 1),
    idleTimeoutMs: pick('idleTimeoutMs', 15 * 60 * 1000, 0),
    maxPendingInputBytes: pick('maxPendingInputBytes', 8 * 1024 * 1024, 1),
    maxEnvBytes: pick('maxEnvBytes', 256 * 1024, 1),
    maxEnvEntries: pick('maxEnvEntries', DEFAULT_MAX_ENV_ENTRIES, 1),
  };
}
