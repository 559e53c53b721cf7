/**
 * The server's configuration, once every source (flags, env, file, defaults) has been merged and
 * checked. Every field is final: the rest of the app never parses strings.
 */

/** A host and port to listen on. Port 0 asks the OS for a free port. */
export interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

/** TLS material, as PEM text (read from the configured files). */
export interface TlsMaterial {
  readonly cert: string;
  readonly key: string;
  /** The files they came from, for messages (never their contents). */
  readonly certFile: string;
  readonly keyFile: string;
}

/** Limits the server applies on top of what the backend transport enforces. */
export interface ServerLimits {
  /** Running processes one principal may have at once; more answers `resource_exhausted`. */
  readonly processesPerPrincipal: number;
  /** The most bytes of argv (UTF-8, one NUL per item, as the kernel counts). */
  readonly argvBytes: number;
  /** Unacknowledged output the host keeps per stream before pausing the process. */
  readonly outputWindowBytes: number;
  /** How long an exited process stays retained (for `get`, late readers) before it is forgotten. */
  readonly retentionMs: number;
  /** A connection with no call in flight for this long is closed by the fronts (0: never). */
  readonly idleTimeoutMs: number;
  /** A pty process with no reader of its output for this long gets SIGHUP (0: never). */
  readonly detachTimeoutMs: number;
}

/** Where the tokens came from: a file, or one generated at start (then printed once). */
export type TokenSource = { readonly kind: 'file'; readonly file: string } | { readonly kind: 'generated' };

/** The merged, checked configuration. */
export interface ServerConfig {
  /** Where gRPC listens. */
  readonly grpcListen: ListenAddress;
  /** Where the HTTP server listens: WebSocket, /metrics, /healthz, /readyz and the web terminal. */
  readonly httpListen: ListenAddress;
  /** The URL path of the WebSocket endpoint, e.g. `/procwire`. */
  readonly websocketPath: string;
  /** Token -> principal. Never logged. */
  readonly tokens: Readonly<Record<string, string>>;
  readonly tokenSource: TokenSource;
  /** Both fronts serve TLS when set. */
  readonly tls: TlsMaterial | undefined;
  readonly limits: ServerLimits;
  /**
   * Start pipe-mode processes from the host's small spawn helper process (`localTransport`'s
   * `spawnHelper`): a fork of the big server process blocks its event loop for every client.
   */
  readonly spawnHelper: boolean;
  /** The login shell the web terminal starts, as argv (e.g. `['/bin/bash', '-l']`). */
  readonly shell: readonly string[];
  /** On shutdown: how long processes get between SIGTERM and SIGKILL. */
  readonly shutdownGraceMs: number;
  /** pino level: `fatal`, `error`, `warn`, `info`, `debug`, `trace` or `silent`. */
  readonly logLevel: string;
  /** When set, the bound addresses are written there as JSON once the server listens. */
  readonly readyFile: string | undefined;
}
