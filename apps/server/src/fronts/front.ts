/**
 * What the app needs from a front (a network server that serves a transport), independent of the
 * adapter behind it. `./grpc-front.ts` and `./websocket-front.ts` map these onto `serveGrpc` and
 * `serveWebSocket`; tests may pass the same, so the app itself imports no adapter.
 */
import type { Server as HttpServer } from 'node:http';
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
  options: FrontOptions & { readonly server: HttpServer; readonly path: string; readonly url: string },
) => Promise<RunningFront>;
