/**
 * Every configuration key, once: its flag, env var, file key, default and help line. Loading,
 * `--help` and the docs are all driven from this table, so they cannot disagree.
 */

/** How a key's text is read. */
export type OptionKind = 'address' | 'count' | 'bytes' | 'milliseconds' | 'path' | 'text' | 'switch';

/** One configuration key. */
export interface OptionSpec {
  /** The key in a JSON config file (camelCase). */
  readonly fileKey: string;
  /** The command-line flag, with its dashes. */
  readonly flag: string;
  /** The environment variable. */
  readonly env: string;
  readonly kind: OptionKind;
  /** The default as text; `undefined` means "unset" (an optional key). */
  readonly defaultValue: string | undefined;
  readonly help: string;
}

/** The keys, in the order `--help` shows them. */
export const optionSpecs = [
  {
    fileKey: 'grpcListen',
    flag: '--grpc-listen',
    env: 'PROCWIRE_GRPC_LISTEN',
    kind: 'address',
    defaultValue: '127.0.0.1:50051',
    help: 'host:port for gRPC (port 0: any free port)',
  },
  {
    fileKey: 'httpListen',
    flag: '--http-listen',
    env: 'PROCWIRE_HTTP_LISTEN',
    kind: 'address',
    defaultValue: '127.0.0.1:8080',
    help: 'host:port for HTTP: WebSocket, web terminal, /metrics, /healthz, /readyz',
  },
  {
    fileKey: 'websocketPath',
    flag: '--websocket-path',
    env: 'PROCWIRE_WEBSOCKET_PATH',
    kind: 'text',
    defaultValue: '/procwire',
    help: 'URL path of the WebSocket endpoint',
  },
  {
    fileKey: 'tokensFile',
    flag: '--tokens-file',
    env: 'PROCWIRE_TOKENS_FILE',
    kind: 'path',
    defaultValue: undefined,
    help: 'file of "token principal" lines; without it one token is generated and printed at start',
  },
  {
    fileKey: 'tlsCert',
    flag: '--tls-cert',
    env: 'PROCWIRE_TLS_CERT',
    kind: 'path',
    defaultValue: undefined,
    help: 'PEM certificate file; with --tls-key, both fronts serve TLS',
  },
  {
    fileKey: 'tlsKey',
    flag: '--tls-key',
    env: 'PROCWIRE_TLS_KEY',
    kind: 'path',
    defaultValue: undefined,
    help: 'PEM private key file',
  },
  {
    fileKey: 'maxProcessesPerPrincipal',
    flag: '--max-processes-per-principal',
    env: 'PROCWIRE_MAX_PROCESSES_PER_PRINCIPAL',
    kind: 'count',
    defaultValue: '64',
    help: 'running processes one principal may have at once',
  },
  {
    fileKey: 'maxRetainedPerPrincipal',
    flag: '--max-retained-per-principal',
    env: 'PROCWIRE_MAX_RETAINED_PER_PRINCIPAL',
    kind: 'count',
    defaultValue: '64',
    help: 'exited processes kept for one principal (for get, late readers); past it the oldest is forgotten early, one whose output was all read first',
  },
  {
    fileKey: 'isolation',
    flag: '--isolation',
    env: 'PROCWIRE_ISOLATION',
    kind: 'text',
    defaultValue: 'none',
    help: 'none: every process runs as the server\'s user; uid: each principal\'s processes run as the uid:gid its tokens-file line gives (needs root)',
  },
  {
    fileKey: 'maxProcesses',
    flag: '--max-processes',
    env: 'PROCWIRE_MAX_PROCESSES',
    kind: 'count',
    defaultValue: '256',
    help: 'running processes across every principal (a process counts until its whole process group is gone)',
  },
  {
    fileKey: 'reservedProcessesPerPrincipal',
    flag: '--reserved-processes-per-principal',
    env: 'PROCWIRE_RESERVED_PROCESSES_PER_PRINCIPAL',
    kind: 'count',
    defaultValue: '0',
    help: 'room of --max-processes kept free for each principal of the tokens file, so one cannot lock the others out',
  },
  {
    fileKey: 'maxEnvBytes',
    flag: '--max-env-bytes',
    env: 'PROCWIRE_MAX_ENV_BYTES',
    kind: 'bytes',
    defaultValue: '262144',
    help: 'largest env of a start in bytes (UTF-8 "NAME=value" plus one NUL per entry)',
  },
  {
    fileKey: 'maxEnvEntries',
    flag: '--max-env-entries',
    env: 'PROCWIRE_MAX_ENV_ENTRIES',
    kind: 'count',
    defaultValue: '4096',
    help: 'most entries in the env of a start (counted before the request is decoded)',
  },
  {
    fileKey: 'maxPendingInputBytes',
    flag: '--max-pending-input-bytes',
    env: 'PROCWIRE_MAX_PENDING_INPUT_BYTES',
    kind: 'bytes',
    defaultValue: '1048576',
    help: 'stdin bytes per process sent but not yet taken by the process; writes past it answer resource_exhausted',
  },
  {
    fileKey: 'maxConnections',
    flag: '--max-connections',
    env: 'PROCWIRE_MAX_CONNECTIONS',
    kind: 'count',
    defaultValue: '512',
    help: 'open connections per listener (HTTP/WebSocket, gRPC); more are closed at once',
  },
  {
    fileKey: 'maxConnectionsPerAddress',
    flag: '--max-connections-per-address',
    env: 'PROCWIRE_MAX_CONNECTIONS_PER_ADDRESS',
    kind: 'count',
    defaultValue: '64',
    help: 'open connections per listener from one peer IP address',
  },
  {
    fileKey: 'authTimeoutMs',
    flag: '--auth-timeout-ms',
    env: 'PROCWIRE_AUTH_TIMEOUT_MS',
    kind: 'milliseconds',
    defaultValue: '10000',
    help: 'close a connection that has made no authenticated call (or WebSocket handshake) by then',
  },
  {
    fileKey: 'allowPlaintext',
    flag: '--allow-plaintext',
    env: 'PROCWIRE_ALLOW_PLAINTEXT',
    kind: 'switch',
    defaultValue: 'false',
    help: 'listen on a non-loopback address without TLS (tokens then cross the network in clear; true or false)',
  },
  {
    fileKey: 'allowedOrigins',
    flag: '--allowed-origins',
    env: 'PROCWIRE_ALLOWED_ORIGINS',
    kind: 'text',
    defaultValue: undefined,
    help: 'comma-separated Origins a browser WebSocket may come from (default: the server\'s own origin; clients sending no Origin are always taken)',
  },
  {
    fileKey: 'maxArgvBytes',
    flag: '--max-argv-bytes',
    env: 'PROCWIRE_MAX_ARGV_BYTES',
    kind: 'bytes',
    defaultValue: '262144',
    help: 'largest argv in bytes (UTF-8, one NUL per item)',
  },
  {
    fileKey: 'outputWindowBytes',
    flag: '--output-window-bytes',
    env: 'PROCWIRE_OUTPUT_WINDOW_BYTES',
    kind: 'bytes',
    defaultValue: '1048576',
    help: 'unacknowledged output kept per stream before the process is paused',
  },
  {
    fileKey: 'outputBurstBytes',
    flag: '--output-burst-bytes',
    env: 'PROCWIRE_OUTPUT_BURST_BYTES',
    kind: 'bytes',
    defaultValue: '8388608',
    help: 'unacknowledged output kept for a stream a client is reading, the room past --output-window-bytes borrowed from --output-pool-bytes (not above the window: no borrowing)',
  },
  {
    fileKey: 'outputPoolBytes',
    flag: '--output-pool-bytes',
    env: 'PROCWIRE_OUTPUT_POOL_BYTES',
    kind: 'bytes',
    defaultValue: '67108864',
    help: 'room past their windows that the streams being read may borrow, across every process (0: none); the server holds at most one window per stream plus this',
  },
  {
    fileKey: 'replayBytes',
    flag: '--replay-bytes',
    env: 'PROCWIRE_REPLAY_BYTES',
    kind: 'bytes',
    defaultValue: '65536',
    help: 'recent output kept per stream after it was read, shown first by procwire attach (at most 16777216; 0: none)',
  },
  {
    fileKey: 'retentionMs',
    flag: '--retention-ms',
    env: 'PROCWIRE_RETENTION_MS',
    kind: 'milliseconds',
    defaultValue: '300000',
    help: 'how long an exited process stays retained for late readers',
  },
  {
    fileKey: 'idleTimeoutMs',
    flag: '--idle-timeout-ms',
    env: 'PROCWIRE_IDLE_TIMEOUT_MS',
    kind: 'milliseconds',
    defaultValue: '600000',
    help: 'close a connection idle this long (0: never)',
  },
  {
    fileKey: 'detachTimeoutMs',
    flag: '--detach-timeout-ms',
    env: 'PROCWIRE_DETACH_TIMEOUT_MS',
    kind: 'milliseconds',
    defaultValue: '120000',
    help: 'send SIGHUP to a pty process (a web terminal shell) that has had no reader this long (0: never)',
  },
  {
    fileKey: 'spawnHelper',
    flag: '--spawn-helper',
    env: 'PROCWIRE_SPAWN_HELPER',
    kind: 'switch',
    defaultValue: 'true',
    help: 'start pipe-mode processes that run as another user (--isolation uid) from a small helper process, so a spawn never forks the big server (true or false)',
  },
  {
    fileKey: 'vforkSpawn',
    flag: '--vfork-spawn',
    env: 'PROCWIRE_VFORK_SPAWN',
    kind: 'switch',
    defaultValue: 'true',
    help: 'start pipe-mode processes with posix_spawn where the host addon is built (no fork of the server); false forks as child_process does (true or false)',
  },
  {
    fileKey: 'shell',
    flag: '--shell',
    env: 'PROCWIRE_SHELL',
    kind: 'path',
    defaultValue: undefined,
    help: 'login shell of the web terminal (default: $SHELL, else /bin/bash, else /bin/sh)',
  },
  {
    fileKey: 'shutdownGraceMs',
    flag: '--shutdown-grace-ms',
    env: 'PROCWIRE_SHUTDOWN_GRACE_MS',
    kind: 'milliseconds',
    defaultValue: '5000',
    help: 'on SIGTERM/SIGINT: time between SIGTERM and SIGKILL of the processes',
  },
  {
    fileKey: 'logLevel',
    flag: '--log-level',
    env: 'PROCWIRE_LOG_LEVEL',
    kind: 'text',
    defaultValue: 'info',
    help: 'fatal, error, warn, info, debug, trace or silent',
  },
  {
    fileKey: 'logFormat',
    flag: '--log-format',
    env: 'PROCWIRE_LOG_FORMAT',
    kind: 'text',
    defaultValue: 'auto',
    help: 'human (short lines; a line per process only at debug), json (a JSON line per event), or auto: human on a terminal, else json',
  },
  {
    fileKey: 'readyFile',
    flag: '--ready-file',
    env: 'PROCWIRE_READY_FILE',
    kind: 'path',
    defaultValue: undefined,
    help: 'write the bound addresses there as JSON once listening',
  },
  {
    fileKey: 'backend',
    flag: '--backend',
    env: 'PROCWIRE_BACKEND',
    kind: 'text',
    defaultValue: 'local',
    help: 'where processes run: local (this host) or docker (a container per principal, see docs/CONTAINERS.md)',
  },
  {
    fileKey: 'dockerImage',
    flag: '--docker-image',
    env: 'PROCWIRE_DOCKER_IMAGE',
    kind: 'text',
    defaultValue: undefined,
    help: 'image of each principal\'s container (required with --backend docker; the engine is DOCKER_HOST\'s)',
  },
  {
    fileKey: 'dockerIdleMs',
    flag: '--docker-idle-ms',
    env: 'PROCWIRE_DOCKER_IDLE_MS',
    kind: 'milliseconds',
    defaultValue: '300000',
    help: 'remove a principal\'s container after this long with no process running',
  },
  {
    fileKey: 'dockerMemory',
    flag: '--docker-memory',
    env: 'PROCWIRE_DOCKER_MEMORY',
    kind: 'text',
    defaultValue: '512m',
    help: 'memory limit of each container, swap included (bytes, or with k, m or g)',
  },
  {
    fileKey: 'dockerPidsLimit',
    flag: '--docker-pids-limit',
    env: 'PROCWIRE_DOCKER_PIDS_LIMIT',
    kind: 'count',
    defaultValue: '256',
    help: 'the most processes and threads in each container',
  },
  {
    fileKey: 'dockerCpus',
    flag: '--docker-cpus',
    env: 'PROCWIRE_DOCKER_CPUS',
    kind: 'text',
    defaultValue: '1',
    help: 'CPUs each container may use (e.g. 0.5)',
  },
  {
    fileKey: 'dockerNetwork',
    flag: '--docker-network',
    env: 'PROCWIRE_DOCKER_NETWORK',
    kind: 'text',
    defaultValue: 'none',
    help: 'Docker network of each container (none: no network)',
  },
] as const satisfies readonly OptionSpec[];

/** A key of the configuration, by its file name. */
export type OptionKey = (typeof optionSpecs)[number]['fileKey'];

/** The flag and env var naming the config file itself (it cannot be set from a file). */
export const configFileOption = { flag: '--config', env: 'PROCWIRE_CONFIG' } as const;
