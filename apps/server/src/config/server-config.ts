/**
 * The server's configuration, once every source (flags, env, file, defaults) has been merged and
 * checked. Every field is final: the rest of the app never parses strings.
 */
import type { BackendConfig } from '../backends/backend-config.js';
import type { LogFormat } from '../observability/logger.js';


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
  /** Running processes across every principal; more answers `resource_exhausted`. */
  readonly processes: number;
  /** Running processes one principal may have at once; more answers `resource_exhausted`. */
  readonly processesPerPrincipal: number;
  /** Exited processes kept for one principal; past it the oldest is forgotten before `retentionMs`. */
  readonly retainedPerPrincipal: number;
  /** Room of `processes` kept for each principal of the tokens file (see docs/SECURITY.md). */
  readonly reservedProcessesPerPrincipal: number;
  /** The most env bytes of a start (UTF-8 `NAME=value`, one NUL per entry). */
  readonly envBytes: number;
  /** The most env entries of a start (counted before a request is decoded). */
  readonly envEntries: number;
  /** Stdin bytes per process sent but not yet taken by the process. */
  readonly pendingInputBytes: number;
  /** Open connections per listener. */
  readonly connections: number;
  /** Open connections per listener from one peer IP address. */
  readonly connectionsPerAddress: number;
  /** A connection with no authenticated call or handshake by then is closed. */
  readonly authTimeoutMs: number;
  /** The most bytes of argv (UTF-8, one NUL per item, as the kernel counts). */
  readonly argvBytes: number;
  /** Unacknowledged output the host keeps per stream before pausing the process. */
  readonly outputWindowBytes: number;
  /** Unacknowledged output kept for a stream being read, borrowing past the window from the pool. */
  readonly outputBurstBytes: number;
  /** Room past their windows that the streams being read may borrow, across every process. */
  readonly outputPoolBytes: number;
  /** Local pipe mode: the kernel pipe an output gets once a client consumed this much of it (0: never grown). */
  readonly outputPipeBytes: number;
  /** Acknowledged output the host still keeps per stream for re-attaching readers (`attach` replays it). */
  readonly replayBytes: number;
  /** How long an exited process stays retained (for `get`, late readers) before it is forgotten. */
  readonly retentionMs: number;
  /** A connection with no call in flight for this long is closed by the fronts (0: never). */
  readonly idleTimeoutMs: number;
  /** A pty process with no reader of its output for this long gets SIGHUP (0: never). */
  readonly detachTimeoutMs: number;
}

/** Where the tokens came from: a file, or one generated at start (then printed once). */
export type TokenSource = { readonly kind: 'file'; readonly file: string } | { readonly kind: 'generated' };

/** The operating-system user a principal's processes run as. */
export interface PrincipalUser {
  readonly uid: number;
  readonly gid: number;
}

/**
 * How principals are kept apart below the API: `none` (every process runs as the server's user),
 * `uid` (each principal's processes run as the user its tokens-file line gives).
 */
export type Isolation = 'none' | 'uid';

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
  readonly isolation: Isolation;
  /** Principal -> user, from the tokens file (used with `isolation: 'uid'`). */
  readonly principalUsers: Readonly<Record<string, PrincipalUser>>;
  /** Listening on a non-loopback address without TLS was allowed explicitly. */
  readonly allowPlaintext: boolean;
  /** Origins a browser WebSocket may come from; `undefined`: the server's own origin only. */
  readonly allowedOrigins: readonly string[] | undefined;
  /** Both fronts serve TLS when set. */
  readonly tls: TlsMaterial | undefined;
  readonly limits: ServerLimits;
  /**
   * Start pipe-mode processes from the host's small spawn helper process (`localTransport`'s
   * `spawnHelper`) when they cannot use posix_spawn (they run as another user): a fork of the big
   * server process blocks its event loop for every client.
   */
  readonly spawnHelper: boolean;
  /**
   * Start pipe-mode processes with posix_spawn where the host's addon is built (`localTransport`'s
   * `vforkSpawn`, left to its default); false forks them.
   */
  readonly vforkSpawn: boolean;
  /** The login shell the web terminal starts, as argv (e.g. `['/bin/bash', '-l']`). */
  readonly shell: readonly string[];
  /** On shutdown: how long processes get between SIGTERM and SIGKILL. */
  readonly shutdownGraceMs: number;
  /** pino level: `fatal`, `error`, `warn`, `info`, `debug`, `trace` or `silent`. */
  readonly logLevel: string;
  /** `human`, `json`, or `auto` (human when stdout is a terminal). */
  readonly logFormat: LogFormat;
  /** When set, the bound addresses are written there as JSON once the server listens. */
  readonly readyFile: string | undefined;  /** Where processes run: this host, or a container per principal. */
  readonly backend: BackendConfig;
}
