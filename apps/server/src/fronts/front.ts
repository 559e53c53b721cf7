/**
 * What the app needs from a front (a network server that serves a transport), independent of the
 * adapter behind it. `./grpc-front.ts` and `./websocket-front.ts` map these onto `serveGrpc` and
 * `serveWebSocket`; tests may pass the same, so the app itself imports no adapter.
 */
import type { Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Transport } from '@procwire/core/transport';

/** Options every front takes. */
export interface FrontOptions {
  /** Token -> principal. */
  readonly tokens: Readonly<Record<string, string>>;
  /** PEM certificate and key, when the front serves TLS. */
  readonly tls: { readonly cert: string; readonly key: string } | undefined;
  /** Close a connection with no call in flight for this long (0: never). */
  readonly idleTimeoutMs: number;
  /**
   * A bound on argv bytes for the front's own early check. The app passes twice its limit, so
   * that its own check (which logs and counts the refusal) is the one that decides.
   */
  readonly maxArgvBytes: number;
  /** The same for env bytes (twice the app's limit). */
  readonly maxEnvBytes: number;
  /**
   * The app's own limit on env entries (not twice it): counted before a Start is decoded, so the
   * front's refusal costs nothing, while each entry let through costs decoding.
   */
  readonly maxEnvEntries: number;
  /** Stdin bytes of one connection's writes not answered yet (twice the app's per-process bound). */
  readonly maxPendingInputBytes: number;
  /** Connections open at once on the front's listener, and from one peer IP. */
  readonly maxConnections: number;
  readonly maxConnectionsPerAddress: number;
  /** A connection with no authenticated call or handshake by then is closed. */
  readonly authTimeoutMs: number;
  /** Origins whose pages may open a WebSocket; `undefined`: the server's own. */
  readonly allowedOrigins: readonly string[] | undefined;
  /** Called once per call refused for a missing or wrong token (for the auth-failure metric). */
  readonly onAuthFailure: () => void;
}

/** A running front. */
export interface RunningFront {
  /** Where clients connect: `host:port` for gRPC, a `ws://` / `wss://` URL for WebSocket. */
  readonly address: string;
  /** Stops accepting, tells connected clients, and closes. */
  close(): Promise<void>;
}

/** Starts gRPC on its own port. */
export type StartGrpcFront = (
  transport: Transport,
  options: FrontOptions & { readonly host: string; readonly port: number },
) => Promise<RunningFront>;

/** Starts WebSocket on the app's HTTP server, at `path`. */
export type StartWebSocketFront = (
  transport: Transport,
  options: FrontOptions & {
    readonly server: HttpServer;
    readonly path: string;
    readonly url: string;
    /** Called with the socket of each authenticated WebSocket (the app's HTTP connection gate). */
    readonly onAuthenticated: (socket: Duplex) => void;
  },
) => Promise<RunningFront>;
