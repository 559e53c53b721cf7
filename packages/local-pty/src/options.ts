/**
 * The options of `localTransport()`, with their defaults.
 */
import { ErrorCode, ProcwireError } from '@procwire/core/transport';
import { defaultBaseEnv } from './environment.js';

/** Options of {@link localTransport}. Every option is optional. */
export interface LocalTransportOptions {
  /**
   * The most unacknowledged output bytes kept per stream; when a stream holds this many, the host
   * stops reading it (the process blocks on write) until the reader acknowledges. Default 8 MiB.
   */
  readonly outputWindowBytes?: number;
  /** How long an exited process stays queryable (exit status, unread output). Default 5 minutes. */
  readonly retentionMs?: number;
  /** The most processes running at once; past it `start` is `resource_exhausted`. Default 256. */
  readonly maxProcesses?: number;
  /** The most processes running at once for one principal. Default: `maxProcesses`. */
  readonly maxProcessesPerPrincipal?: number;
  /** The most bytes of argv (UTF-8, one NUL per item). Default 256 KiB. */
  readonly maxArgvBytes?: number;
  /**
   * After SIGTERM (timeout) the host waits this long before SIGKILL to the process group; it also
   * waits this long after the leader exits for the rest of the group to close the outputs.
   * Default 2000 ms.
   */
  readonly killGraceMs?: number;
  /**
   * The environment every process starts from (the request's `env` is merged over it). Default:
   * `PATH`, `HOME`, `LANG`, `LC_ALL`, `USER`, `LOGNAME`, `SHELL`, `TERM`, `TZ` copied from the host
   * when set (`PATH` falls back to the usual system directories).
   */
  readonly baseEnv?: Readonly<Record<string, string | undefined>>;
  /** Start from the host's whole `process.env` instead of `baseEnv`. Default false. */
  readonly inheritEnv?: boolean;
  /** The working directory of a request without `cwd`. Default: the host's `process.cwd()` at creation. */
  readonly defaultCwd?: string;
  /**
   * Run every process as this user id (the host must run as root). Give `gid` with it: the two
   * are applied together, and supplementary groups are dropped.
   */
  readonly uid?: number;
  /** Run every process with this group id; given together with `uid`. */
  readonly gid?: number;
  /**
   * Spawn pipe-mode processes from a small helper process instead of this one. Default false.
   *
   * Node's spawn forks the calling process synchronously, copying its page tables, and the event
   * loop waits meanwhile: measured on Node 20 here, `spawn('true')` takes 3.7 ms at 49 MB RSS, 38 ms
   * at 250 MB and 66 ms at 1 GB, for every client of the host. With the helper (forked once, at the
   * first pipe-mode start, with a 64 MB heap limit) the host never forks: the helper spawns each
   * process exactly as the host would (argv, own process group, cwd, env, uid/gid) and hands its
   * three pipes over: `exec(['true'])` + `wait()` then takes ~3–4 ms whatever the host's size
   * (67 ms in-process at 1 GB). Costs one extra process (~45 MB RSS). Use it in long-running hosts
   * with big heaps (a server). Pty mode always spawns in this process (node-pty forks by itself).
   */
  readonly spawnHelper?: boolean;
}

/** {@link LocalTransportOptions} with every default applied. */
export interface ResolvedOptions {
  readonly outputWindowBytes: number;
  readonly retentionMs: number;
  readonly maxProcesses: number;
  readonly maxProcessesPerPrincipal: number;
  readonly maxArgvBytes: number;
  readonly killGraceMs: number;
  readonly baseEnv: Readonly<Record<string, string | undefined>>;
  readonly defaultCwd: string;
  readonly user?: { readonly uid: number; readonly gid: number };
  readonly spawnHelper: boolean;
}

export const DEFAULT_OUTPUT_WINDOW_BYTES = 8 * 1024 * 1024;
export const DEFAULT_RETENTION_MS = 5 * 60 * 1000;
export const DEFAULT_MAX_PROCESSES = 256;
export const DEFAULT_MAX_ARGV_BYTES = 256 * 1024;
export const DEFAULT_KILL_GRACE_MS = 2000;

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new ProcwireError(ErrorCode.InvalidArgument, `localTransport option ${name} must be a positive integer, got ${value}`);
  }
  return value;
}

function userId(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new ProcwireError(ErrorCode.InvalidArgument, `localTransport option ${name} must be a non-negative integer, got ${value}`);
  }
  return value;
}

function flag(name: string, value: boolean | undefined): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') {
    throw new ProcwireError(ErrorCode.InvalidArgument, `localTransport option ${name} must be a boolean, got ${String(value)}`);
  }
  return value;
}

/** Applies defaults and checks every option; throws `invalid_argument` naming a bad one. */
export function resolveOptions(options: LocalTransportOptions = {}): ResolvedOptions {
  if ((options.uid === undefined) !== (options.gid === undefined)) {
    throw new ProcwireError(ErrorCode.InvalidArgument, 'localTransport options uid and gid must be given together');
  }
  const maxProcesses = positiveInteger('maxProcesses', options.maxProcesses, DEFAULT_MAX_PROCESSES);
  return {
    outputWindowBytes: positiveInteger('outputWindowBytes', options.outputWindowBytes, DEFAULT_OUTPUT_WINDOW_BYTES),
    retentionMs: positiveInteger('retentionMs', options.retentionMs, DEFAULT_RETENTION_MS),
    maxProcesses,
    maxProcessesPerPrincipal: positiveInteger('maxProcessesPerPrincipal', options.maxProcessesPerPrincipal, maxProcesses),
    maxArgvBytes: positiveInteger('maxArgvBytes', options.maxArgvBytes, DEFAULT_MAX_ARGV_BYTES),
    killGraceMs: positiveInteger('killGraceMs', options.killGraceMs, DEFAULT_KILL_GRACE_MS),
    baseEnv: options.inheritEnv === true ? { ...process.env } : (options.baseEnv ?? defaultBaseEnv()),
    defaultCwd: options.defaultCwd ?? process.cwd(),
    spawnHelper: flag('spawnHelper', options.spawnHelper),
    ...(options.uid !== undefined && options.gid !== undefined
      ? { user: { uid: userId('uid', options.uid), gid: userId('gid', options.gid) } }
      : {}),
  };
}
