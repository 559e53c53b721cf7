/**
 * The options of `dockerTransport()`, with their defaults.
 */
import {
  DEFAULT_KILL_GRACE_MS,
  DEFAULT_MAX_ARGV_BYTES,
  DEFAULT_MAX_ENV_BYTES,
  DEFAULT_MAX_ENV_ENTRIES,
  DEFAULT_MAX_PROCESSES,
  DEFAULT_OUTPUT_BURST_BYTES,
  DEFAULT_OUTPUT_POOL_BYTES,
  DEFAULT_OUTPUT_WINDOW_BYTES,
  DEFAULT_RETENTION_MS,
  ErrorCode,
  HostOptionChecks,
  OutputPool,
  ProcwireError,
} from '@procwire/core/transport';
import Docker from 'dockerode';

/** Options of {@link dockerTransport}. Only `container` is required. */
export interface DockerTransportOptions {
  /** The container every process runs in: its name or id. It must exist and run. */
  readonly container: string;
  /**
   * The engine: a dockerode instance. Default `new Docker()`, which follows `DOCKER_HOST` (else
   * the local socket `/var/run/docker.sock`).
   */
  readonly docker?: Docker;
  /** The user processes run as inside the container (`'1000'`, `'1000:1000'`, `'nobody'`). Default: the container's. */
  readonly user?: string;
  /**
   * The most unacknowledged output bytes kept per stream; when one stream holds this many, the host
   * stops reading the process's output (both streams share one connection to the engine, so both
   * pause) until the reader acknowledges. Default 8 MiB.
   */
  readonly outputWindowBytes?: number;
  /**
   * The most unacknowledged output bytes kept for a stream that a reader is reading, borrowing the
   * room past `outputWindowBytes` from `outputPool`. Not above the window: no borrowing. Default 8 MiB.
   */
  readonly outputBurstBytes?: number;
  /**
   * Where streams being read borrow room past their windows. Pass one pool to several transports
   * (a container per principal) to bound them together. Default: a 64 MiB pool of this transport's.
   */
  readonly outputPool?: OutputPool;
  /**
   * Acknowledged output kept per stream (whole chunks, at least this many bytes) so that a reader
   * re-attaching with `client.get(id, { replay: true })` (`procwire attach`) sees the recent output
   * first; it is host memory on top of the window. Default 0: acknowledged output is freed at once.
   */
  readonly replayBytes?: number;
  /** How long an exited process stays queryable (exit status, unread output). Default 5 minutes. */
  readonly retentionMs?: number;
  /** The most processes running at once; past it `start` is `resource_exhausted`. Default 256. */
  readonly maxProcesses?: number;
  /** The most processes running at once for one principal. Default: `maxProcesses`. */
  readonly maxProcessesPerPrincipal?: number;
  /**
   * The most exited processes kept for one principal (for `get`, late readers): past it the oldest
   * is forgotten before `retentionMs`, one whose output was all read first. Default:
   * `maxProcessesPerPrincipal`.
   */
  readonly maxRetainedPerPrincipal?: number;
  /** The most bytes of argv (UTF-8, one NUL per item). Default 256 KiB. */
  readonly maxArgvBytes?: number;
  /** The most bytes of a request's `env` (UTF-8 `KEY=VALUE` and a NUL per entry). Default 256 KiB. */
  readonly maxEnvBytes?: number;
  /** The most entries of a request's `env`. Default 4096. */
  readonly maxEnvEntries?: number;
  /** After SIGTERM (timeout) the host waits this long before SIGKILL to the process group. Default 2000 ms. */
  readonly killGraceMs?: number;
}

/** {@link DockerTransportOptions} with every default applied. */
export interface ResolvedOptions {
  readonly container: string;
  readonly docker: Docker;
  readonly user?: string;
  readonly outputWindowBytes: number;
  readonly outputBurstBytes: number;
  readonly outputPool: OutputPool;
  readonly replayBytes: number;
  readonly retentionMs: number;
  readonly maxProcesses: number;
  readonly maxProcessesPerPrincipal: number;
  readonly maxRetainedPerPrincipal: number;
  readonly maxArgvBytes: number;
  readonly maxEnvBytes: number;
  readonly maxEnvEntries: number;
  readonly killGraceMs: number;
}

const checks = new HostOptionChecks('dockerTransport');

/** Applies defaults and checks every option; throws `invalid_argument` naming a bad one. */
export function resolveOptions(options: DockerTransportOptions): ResolvedOptions {
  if (typeof options?.container !== 'string' || options.container === '') {
    throw new ProcwireError(ErrorCode.InvalidArgument, 'dockerTransport option container must be a container name or id');
  }
  if (options.user !== undefined && (typeof options.user !== 'string' || options.user === '')) {
    throw new ProcwireError(ErrorCode.InvalidArgument, 'dockerTransport option user must be a non-empty string');
  }
  const maxProcesses = checks.positiveInteger('maxProcesses', options.maxProcesses, DEFAULT_MAX_PROCESSES);
  const maxProcessesPerPrincipal = checks.positiveInteger('maxProcessesPerPrincipal', options.maxProcessesPerPrincipal, maxProcesses);
  return {
    container: options.container,
    docker: options.docker ?? new Docker(),
    ...(options.user === undefined ? {} : { user: options.user }),
    outputWindowBytes: checks.positiveInteger('outputWindowBytes', options.outputWindowBytes, DEFAULT_OUTPUT_WINDOW_BYTES),
    outputBurstBytes: checks.positiveInteger('outputBurstBytes', options.outputBurstBytes, DEFAULT_OUTPUT_BURST_BYTES),
    outputPool: options.outputPool ?? new OutputPool(DEFAULT_OUTPUT_POOL_BYTES),
    replayBytes: checks.nonNegativeInteger('replayBytes', options.replayBytes),
    retentionMs: checks.durationMs('retentionMs', options.retentionMs, DEFAULT_RETENTION_MS),
    maxProcesses,
    maxProcessesPerPrincipal,
    maxRetainedPerPrincipal: checks.positiveInteger('maxRetainedPerPrincipal', options.maxRetainedPerPrincipal, maxProcessesPerPrincipal),
    maxArgvBytes: checks.positiveInteger('maxArgvBytes', options.maxArgvBytes, DEFAULT_MAX_ARGV_BYTES),
    maxEnvBytes: checks.positiveInteger('maxEnvBytes', options.maxEnvBytes, DEFAULT_MAX_ENV_BYTES),
    maxEnvEntries: checks.positiveInteger('maxEnvEntries', options.maxEnvEntries, DEFAULT_MAX_ENV_ENTRIES),
    killGraceMs: checks.durationMs('killGraceMs', options.killGraceMs, DEFAULT_KILL_GRACE_MS),
  };
}
