/**
 * The options of `localTransport()`, with their defaults.
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
import { defaultBaseEnv } from './environment.js';

/** Options of {@link localTransport}. Every option is optional. */
export interface LocalTransportOptions {
  /**
   * The most unacknowledged output bytes kept per stream; when a stream holds this many, the host
   * stops reading it (the process blocks on write) until the reader acknowledges. Default 8 MiB.
   */
  readonly outputWindowBytes?: number;
  /**
   * The most unacknowledged output bytes kept for a stream that a reader is reading, borrowing the
   * room past `outputWindowBytes` from `outputPool` (a reader across a network keeps output
   * flowing only if the bytes in flight fit). Not above the window: no borrowing. Default 8 MiB.
   */
  readonly outputBurstBytes?: number;
  /**
   * Where the streams being read borrow room past their windows (`new OutputPool(bytes)` from
   * `@procwire/core/transport`): the host holds at most `outputWindowBytes` per stream plus the
   * pool. A stream nobody reads borrows nothing; one whose reader caught up to within its window
   * gives the room back. Pass one pool to several hosts to bound them together. Default: a 64 MiB
   * pool of this host's; `new OutputPool(0)`: no borrowing.
   */
  readonly outputPool?: OutputPool;
  /**
   * Pipe mode: an output whose reader has consumed (acknowledged) this many bytes gets a pipe of
   * this capacity (Linux gives 64 KiB), so a bulk writer blocks and wakes the host far less often.
   * The kernel may then hold this much of a process's output past its window. At most 16 pipes of
   * this Node process are grown at once (an unprivileged user's pipe buffers count against
   * `fs.pipe-user-pages-soft`); past `fs.pipe-max-size` (1 MiB) only root may ask. 0: never.
   * Default 1 MiB.
   */
  readonly outputPipeBytes?: number;
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
  /**
   * The most bytes of a request's `env` (UTF-8 `KEY=VALUE` and a NUL per entry); past it `start`
   * is `resource_exhausted`. Default 256 KiB.
   */
  readonly maxEnvBytes?: number;
  /** The most entries of a request's `env`; past it `start` is `resource_exhausted`. Default 4096. */
  readonly maxEnvEntries?: number;
  /**
   * The most stdin bytes one process holds on the host without the process having taken them,
   * counting writes that wait their turn; a write past it is `resource_exhausted`. An awaited
   * write never meets it (it resolves once its bytes are taken). Default 1 MiB.
   */
  readonly maxPendingInputBytes?: number;
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
   * A user per principal: a principal's processes run as its `uid`/`gid`, supplementary groups
   * dropped, with `HOME`, `USER` and `LOGNAME` from the uid's passwd entry when it has one. The
   * host must run as root (else `localTransport()` throws). Give each principal a uid of its own,
   * used by nothing else: at `close()` the host kills every process running as a mapped uid.
   * A principal without an entry runs as `uid`/`gid` when given, else as the host.
   */
  readonly principalUsers?: Readonly<Record<string, { readonly uid: number; readonly gid: number }>>;
  /**
   * Refuse a start by a principal that has no entry in `principalUsers` (the undefined principal
   * included) with `permission_denied`. Default false.
   */
  readonly requirePrincipalUser?: boolean;
  /**
   * Fork the pipe-mode processes that cannot use posix_spawn (`vforkSpawn`: those that run as
   * another user, or all where it is not available) from a small helper process instead of this
   * one. Default false.
   *
   * Node's spawn forks the calling process synchronously, copying its page tables, and the event
   * loop waits meanwhile: `exec(['true'])` + `wait()` took 8 ms at 62 MiB RSS and 38 ms at 1 GiB
   * on a 2-core VM, for every client of the host. With the helper (forked once, at the first start
   * that needs it, with a 64 MB heap limit) the host never forks: the helper spawns each process
   * exactly as the host would (argv, own process group, cwd, env, uid/gid) and hands its three
   * pipes over, in 9-10 ms whatever the host's size. Costs one extra process (~45 MB RSS). Use it in
   * long-running hosts with big heaps that switch users (a server with `principalUsers`). Pty mode
   * always spawns in this process (node-pty forks by itself).
   */
  readonly spawnHelper?: boolean;
  /**
   * Start pipe-mode processes with posix_spawn (glibc's vfork-style clone, through this package's
   * native addon, on a pool thread) instead of a fork. Default: on where available (Linux with
   * glibc 2.34+, addon built at install); `true` makes `localTransport()` throw `internal` where it
   * is not, `false` turns it off.
   *
   * A fork copies the caller's page tables while its event loop waits; posix_spawn shares them
   * until the child execs, whatever the host's size. Measured on a 2-core VM: `exec(['true'])` +
   * `wait()` in about 3 ms against 8 ms (62 MiB host) to 38 ms (1 GiB) through child_process. The
   * process starts as with child_process (argv, own session and process group, cwd, env, pipes,
   * signals at default), with no descriptor but 0-2. A start that runs as another user
   * (`uid`, `principalUsers`) cannot use it and takes the spawn helper (`spawnHelper`) or
   * child_process; pty mode spawns through node-pty.
   */
  readonly vforkSpawn?: boolean;
}

/** {@link LocalTransportOptions} with every default applied. */
export interface ResolvedOptions {
  readonly outputWindowBytes: number;
  readonly outputBurstBytes: number;
  readonly outputPool: OutputPool;
  readonly outputPipeBytes: number;
  readonly replayBytes: number;
  readonly retentionMs: number;
  readonly maxProcesses: number;
  readonly maxProcessesPerPrincipal: number;
  readonly maxRetainedPerPrincipal: number;
  readonly maxArgvBytes: number;
  readonly maxEnvBytes: number;
  readonly maxEnvEntries: number;
  readonly maxPendingInputBytes: number;
  readonly killGraceMs: number;
  readonly baseEnv: Readonly<Record<string, string | undefined>>;
  readonly defaultCwd: string;
  /** The `defaultCwd` option was given (else a switched user starts in its home). */
  readonly defaultCwdGiven: boolean;
  readonly user?: { readonly uid: number; readonly gid: number };
  readonly principalUsers: ReadonlyMap<string, { readonly uid: number; readonly gid: number }>;
  readonly requirePrincipalUser: boolean;
  readonly spawnHelper: boolean;
  /** `vforkSpawn` as given: `undefined` means use it where available. */
  readonly vforkSpawn: boolean | undefined;
}

// The defaults both hosts share live in core (host-options.ts); these two are this host's own.
export const DEFAULT_OUTPUT_PIPE_BYTES = 1024 * 1024;
export const DEFAULT_MAX_PENDING_INPUT_BYTES = 1024 * 1024;

const checks = new HostOptionChecks('localTransport');

/** A pipe capacity: what F_SETPIPE_SZ takes (an int; Linux caps it at 1 GiB, `fs.pipe-max-size` for other users). */
function pipeBytes(value: number | undefined): number {
  if (value === undefined) return DEFAULT_OUTPUT_PIPE_BYTES;
  if (!Number.isSafeInteger(value) || value < 0 || value > 2 ** 30) {
    throw new ProcwireError(ErrorCode.InvalidArgument, `localTransport option outputPipeBytes must be an integer from 0 to 1073741824, got ${value}`);
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

function principalUsers(
  users: LocalTransportOptions['principalUsers'],
): ReadonlyMap<string, { readonly uid: number; readonly gid: number }> {
  const resolved = new Map<string, { readonly uid: number; readonly gid: number }>();
  if (users === undefined) return resolved;
  if (typeof users !== 'object' || users === null) {
    throw new ProcwireError(ErrorCode.InvalidArgument, 'localTransport option principalUsers must be an object');
  }
  for (const [principal, user] of Object.entries(users)) {
    const name = `principalUsers[${JSON.stringify(principal)}]`;
    if (typeof user !== 'object' || user === null) {
      throw new ProcwireError(ErrorCode.InvalidArgument, `localTransport option ${name} must be { uid, gid }`);
    }
    const uid = userId(`${name}.uid`, user.uid);
    if (uid === 0) throw new ProcwireError(ErrorCode.InvalidArgument, `localTransport option ${name}.uid must not be 0 (root)`);
    const sharing = [...resolved].find(([, other]) => other.uid === uid);
    if (sharing !== undefined) {
      throw new ProcwireError(
        ErrorCode.InvalidArgument,
        `localTransport option ${name}.uid ${uid} is also the uid of principal ${JSON.stringify(sharing[0])}: each principal needs a uid of its own`,
      );
    }
    resolved.set(principal, { uid, gid: userId(`${name}.gid`, user.gid) });
  }
  if (resolved.size > 0 && process.getuid?.() !== 0) {
    throw new ProcwireError(
      ErrorCode.FailedPrecondition,
      'localTransport option principalUsers needs a host running as root (it switches each process to its principal\'s uid)',
    );
  }
  return resolved;
}

/** Applies defaults and checks every option; throws `invalid_argument` naming a bad one. */
export function resolveOptions(options: LocalTransportOptions = {}): ResolvedOptions {
  if ((options.uid === undefined) !== (options.gid === undefined)) {
    throw new ProcwireError(ErrorCode.InvalidArgument, 'localTransport options uid and gid must be given together');
  }
  const maxProcesses = checks.positiveInteger('maxProcesses', options.maxProcesses, DEFAULT_MAX_PROCESSES);
  const maxProcessesPerPrincipal = checks.positiveInteger('maxProcessesPerPrincipal', options.maxProcessesPerPrincipal, maxProcesses);
  return {
    outputWindowBytes: checks.positiveInteger('outputWindowBytes', options.outputWindowBytes, DEFAULT_OUTPUT_WINDOW_BYTES),
    outputBurstBytes: checks.positiveInteger('outputBurstBytes', options.outputBurstBytes, DEFAULT_OUTPUT_BURST_BYTES),
    outputPool: options.outputPool ?? new OutputPool(DEFAULT_OUTPUT_POOL_BYTES),
    outputPipeBytes: pipeBytes(options.outputPipeBytes),
    replayBytes: checks.nonNegativeInteger('replayBytes', options.replayBytes),
    retentionMs: checks.durationMs('retentionMs', options.retentionMs, DEFAULT_RETENTION_MS),
    maxProcesses,
    maxProcessesPerPrincipal,
    maxRetainedPerPrincipal: checks.positiveInteger('maxRetainedPerPrincipal', options.maxRetainedPerPrincipal, maxProcessesPerPrincipal),
    maxArgvBytes: checks.positiveInteger('maxArgvBytes', options.maxArgvBytes, DEFAULT_MAX_ARGV_BYTES),
    maxEnvBytes: checks.positiveInteger('maxEnvBytes', options.maxEnvBytes, DEFAULT_MAX_ENV_BYTES),
    maxEnvEntries: checks.positiveInteger('maxEnvEntries', options.maxEnvEntries, DEFAULT_MAX_ENV_ENTRIES),
    maxPendingInputBytes: checks.positiveInteger('maxPendingInputBytes', options.maxPendingInputBytes, DEFAULT_MAX_PENDING_INPUT_BYTES),
    killGraceMs: checks.durationMs('killGraceMs', options.killGraceMs, DEFAULT_KILL_GRACE_MS),
    baseEnv: options.inheritEnv === true ? { ...process.env } : (options.baseEnv ?? defaultBaseEnv()),
    defaultCwd: options.defaultCwd ?? process.cwd(),
    defaultCwdGiven: options.defaultCwd !== undefined,
    spawnHelper: flag('spawnHelper', options.spawnHelper),
    vforkSpawn: options.vforkSpawn === undefined ? undefined : flag('vforkSpawn', options.vforkSpawn),
    principalUsers: principalUsers(options.principalUsers),
    requirePrincipalUser: flag('requirePrincipalUser', options.requirePrincipalUser),
    ...(options.uid !== undefined && options.gid !== undefined
      ? { user: { uid: userId('uid', options.uid), gid: userId('gid', options.gid) } }
      : {}),
  };
}
