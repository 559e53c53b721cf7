/**
 * localTransport(): the host. It runs real processes on this machine and implements the core
 * transport contract with the host building blocks of `@procwire/core/transport`.
 */
import {
  type AckOutputRequest,
  type CallOptions,
  ErrorCode,
  type ExitStatus,
  type OutputChunk,
  type ProcessInfo,
  hasUnreadOutput,
  ProcessRegistry,
  type ProcessRequest,
  ProcwireError,
  type ReadOutputRequest,
  type ResizeRequest,
  type SignalRequest,
  type StartRequest,
  type Transport,
  validateFd,
  validateOffset,
  validateProcessId,
  validateStartRequest,
  validateTerminalSize,
  type WriteInputRequest,
  type WriteInputResult,
  lazyIterable,
} from '@procwire/core/transport';
import { closeInheritedDescriptors } from './close-on-exec.js';
import { mergeEnv } from './environment.js';
import { GroupWatch } from './group-watch.js';
import { HostedProcess } from './hosted-process.js';
import { type LocalTransportOptions, type ResolvedOptions, resolveOptions } from './options.js';
import { PipeSource } from './pipe-source.js';
import type { LaunchSpec, ProcessSource } from './process-source.js';
import { PtySource } from './pty-source.js';
import { killSessions, signalNumberOf, untilGone } from './signals.js';
import { checkCwd, checkExecStrings } from './spawn-checks.js';
import { SpawnHelper } from './spawn-helper.js';
import { launchWithVfork, requireVforkSpawn, vforkSpawnAvailable } from './vfork-spawn.js';
import { dropSupplementaryGroups, killEverythingOf, type RunAsUser, resolveUsers } from './users.js';

/**
 * A transport that runs processes on this host: pipes through `child_process`, terminals through
 * node-pty. Each process leads its own process group. `close()` kills every process it started.
 * Throws `invalid_argument` for a bad option, `internal` when its close-on-exec addon is not built.
 *
 * @example
 * const client = createClient(localTransport());
 * const p = await client.exec(['sh', '-c', 'echo hi']);
 * await p.wait(); // 0
 */
export function localTransport(options?: LocalTransportOptions): Transport {
  const resolved = resolveOptions(options);
  // What the host inherited or a native module opened must not reach the processes it runs.
  closeInheritedDescriptors();
  return new LocalTransport(resolved);
}

class LocalTransport implements Transport {
  private readonly registry: ProcessRegistry<HostedProcess>;
  private readonly spawnHelper: SpawnHelper | undefined;
  /** Pipe-mode starts without a user switch go through posix_spawn. */
  private readonly vforkSpawn: boolean;
  /** The user of each principal in `principalUsers`. */
  private readonly principalUsers: ReadonlyMap<string, RunAsUser>;
  /** The `uid`/`gid` option's user: everyone else's. */
  private readonly defaultUser: RunAsUser | undefined;
  /** The principal users that ran something: at close, whatever still runs as them is killed. */
  private readonly usedPrincipalUsers = new Set<RunAsUser>();
  private readonly groups = new GroupWatch();
  /** Starts launched and not yet registered, by principal and id (starts are idempotent). */
  private readonly starting = new Map<string, { principal: string | undefined; info: Promise<ProcessInfo> }>();
  private closed = false;

  constructor(private readonly options: ResolvedOptions) {
    this.registry = new ProcessRegistry({
      retentionMs: options.retentionMs,
      maxRunning: options.maxProcesses,
      maxRunningPerPrincipal: options.maxProcessesPerPrincipal,
      maxRetainedPerPrincipal: options.maxRetainedPerPrincipal,
      hasUnreadOutput: (process) => hasUnreadOutput(process.info()),
      // Room its output windows borrowed goes back to the pool, which other hosts may share.
      onForget: (process) => process.forgotten(),
    });
    if (options.spawnHelper) this.spawnHelper = new SpawnHelper();
    if (options.vforkSpawn === true) requireVforkSpawn();
    this.vforkSpawn = options.vforkSpawn ?? vforkSpawnAvailable();
    this.principalUsers = resolveUsers(options.principalUsers);
    this.defaultUser = options.user === undefined ? undefined : resolveUsers(new Map([[0, options.user]])).get(0);
    if (this.defaultUser !== undefined || this.principalUsers.size > 0) dropSupplementaryGroups();
  }

  /** Who runs `principal`'s processes; `permission_denied` when it must have a user and has none. */
  private userOf(principal: string | undefined): RunAsUser | undefined {
    const user = principal === undefined ? undefined : this.principalUsers.get(principal);
    if (user !== undefined) return user;
    if (this.options.requirePrincipalUser) {
      const who = principal === undefined ? 'the unauthenticated local caller (no principal)' : `principal ${JSON.stringify(principal)}`;
      throw new ProcwireError(ErrorCode.PermissionDenied, `${who} has no user in principalUsers, and requirePrincipalUser is set`);
    }
    return this.defaultUser;
  }

  async start(request: StartRequest, options?: CallOptions): Promise<ProcessInfo> {
    this.checkOpen(options);
    validateStartRequest(request, {
      maxArgvBytes: this.options.maxArgvBytes,
      maxEnvBytes: this.options.maxEnvBytes,
      maxEnvEntries: this.options.maxEnvEntries,
    });
    const principal = options?.principal;
    const user = this.userOf(principal);
    const existing = this.registry.find(principal, request.processId);
    if (existing !== undefined) return existing.info();
    const startingKey = JSON.stringify([principal ?? null, request.processId]);
    const starting = this.starting.get(startingKey);
    if (starting !== undefined) return starting.info;
    this.checkCapacity(principal);
    if (user !== undefined && user !== this.defaultUser) this.usedPrincipalUsers.add(user);
    const cwd = request.cwd ?? (user === undefined || this.options.defaultCwdGiven ? this.options.defaultCwd : user.defaultCwd);
    checkCwd(cwd);
    const process = new HostedProcess({
      request,
      principal,
      cwd,
      outputWindowBytes: this.options.outputWindowBytes,
      outputBurstBytes: this.options.outputBurstBytes,
      outputPool: this.options.outputPool,
      replayBytes: this.options.replayBytes,
      killGraceMs: this.options.killGraceMs,
      maxPendingInputBytes: this.options.maxPendingInputBytes,
      onOver: () => this.registry.markExited(principal, request.processId),
      groups: this.groups,
    });
    const env = mergeEnv(user === undefined ? this.options.baseEnv : { ...this.options.baseEnv, ...user.identity }, request.env);
    checkExecStrings(request.argv, env);
    const spec: LaunchSpec = {
      argv: request.argv,
      cwd,
      env,
      stdout: request.stdout,
      stderr: request.stderr,
      outputPipeBytes: this.options.outputPipeBytes,
      ...(request.pty === undefined ? {} : { pty: request.pty }),
      ...(user === undefined ? {} : { user: { uid: user.uid, gid: user.gid } }),
    };
    // posix_spawn (on a pool thread) or the spawn helper: the process runs a moment later.
    let launching: Promise<ProcessSource> | undefined;
    if (spec.pty === undefined && spec.user === undefined && this.vforkSpawn) launching = launchWithVfork(spec, process);
    else if (spec.pty === undefined && this.spawnHelper !== undefined) launching = this.spawnHelper.launch(spec, process);
    if (launching !== undefined) {
      const info = this.registerWhenLaunched(launching, process, request.timeoutMs);
      // Registered before its first await, so a concurrent start of this id gets the same answer.
      this.starting.set(startingKey, { principal, info });
      return info.finally(() => this.starting.delete(startingKey));
    }
    // Launching is synchronous up to registration, so concurrent starts of one id cannot race.
    let source: ProcessSource;
    if (spec.pty === undefined) {
      const launched = PipeSource.launch(spec, process);
      if ('error' in launched) throw await launched.error;
      source = launched.source;
    } else {
      source = PtySource.launch(spec, process);
    }
    this.registry.add(principal, request.processId, process);
    process.attach(source, request.timeoutMs);
    return process.info();
  }

  private async registerWhenLaunched(
    launching: Promise<ProcessSource>,
    process: HostedProcess,
    timeoutMs: number | undefined,
  ): Promise<ProcessInfo> {
    const source = await launching;
    this.registry.add(process.principal, process.processId, process);
    process.attach(source, timeoutMs);
    // It may be over before it was registered (its exit came with its pipes).
    if (process.isOver) this.registry.markExited(process.principal, process.processId);
    return process.info();
  }

  /** The registry's limits, counting the starts still in flight as running. */
  private checkCapacity(principal: string | undefined): void {
    let ofPrincipal = 0;
    for (const entry of this.starting.values()) if (entry.principal === principal) ofPrincipal++;
    this.registry.checkCapacity(principal, { total: this.starting.size, ofPrincipal });
  }

  readOutput(request: ReadOutputRequest, options?: CallOptions): AsyncIterable<OutputChunk> {
    const signal = options?.signal;
    // Checked when iteration starts, as a generator would; the window's chunks pass straight through.
    const open = () => {
      this.checkOpen(options);
      validateFd(request.fd);
      validateOffset(request.offset);
      const process = this.find(request, options);
      const window = request.fd === 1 ? process.stdout : process.stderr;
      return window.read(request.offset, signal);
    };
    if (signal === undefined) return lazyIterable(open);
    return lazyIterable(open, (error) => (signal.aborted ? ProcwireError.from(error, ErrorCode.Aborted) : error));
  }

  async ackOutput(request: AckOutputRequest, options?: CallOptions): Promise<void> {
    this.checkOpen(options);
    validateFd(request.fd);
    validateOffset(request.offset);
    const process = this.find(request, options);
    (request.fd === 1 ? process.stdout : process.stderr).acknowledge(request.offset);
  }

  async writeInput(request: WriteInputRequest, options?: CallOptions): Promise<WriteInputResult> {
    this.checkOpen(options);
    validateOffset(request.offset);
    if (!(request.data instanceof Uint8Array)) {
      throw new ProcwireError(ErrorCode.InvalidArgument, 'stdin data must be a Uint8Array');
    }
    return this.find(request, options).writeInput(request, options?.signal);
  }

  async wait(request: ProcessRequest, options?: CallOptions): Promise<ExitStatus> {
    this.checkOpen(options);
    return this.find(request, options).wait(options?.signal);
  }

  async poll(request: ProcessRequest, options?: CallOptions): Promise<ExitStatus | null> {
    this.checkOpen(options);
    return this.find(request, options).poll() ?? null;
  }

  async signal(request: SignalRequest, options?: CallOptions): Promise<void> {
    this.checkOpen(options);
    const number = signalNumberOf(request.signal);
    this.find(request, options).signal(number);
  }

  async resize(request: ResizeRequest, options?: CallOptions): Promise<void> {
    this.checkOpen(options);
    validateTerminalSize(request.size);
    this.find(request, options).resize(request.size);
  }

  async get(request: ProcessRequest, options?: CallOptions): Promise<ProcessInfo> {
    this.checkOpen(options);
    return this.find(request, options).info();
  }

  async list(options?: CallOptions): Promise<ProcessInfo[]> {
    this.checkOpen(options);
    return this.registry.list(options?.principal).map((process) => process.info());
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Starts in flight register their process either way; then it is killed with the rest.
    await Promise.allSettled([...this.starting.values()].map((entry) => entry.info));
    const processes = this.registry.all();
    await Promise.all(processes.map((process) => process.stop(this.options.killGraceMs)));
    // Members that left the group but stayed in the session (a shell's jobs).
    const jobs = killSessions(processes.flatMap((process) => (process.pid === undefined ? [] : [process.pid])));
    await untilGone(jobs, this.options.killGraceMs);
    // A principal's uid is its own: whatever still runs as it escaped its group and session.
    await Promise.all([...this.usedPrincipalUsers].map((user) => killEverythingOf(user, this.options.killGraceMs)));
    this.registry.clear();
    this.groups.stop();
    await this.spawnHelper?.close();
  }

  private find(request: { readonly processId: string }, options: CallOptions | undefined): HostedProcess {
    // Ids in the registry were checked when they started: look up first (an ack per output chunk
    // comes here), and check only an id that is not there, so a malformed one is invalid_argument.
    const found = this.registry.find(options?.principal, request?.processId);
    if (found !== undefined) return found;
    validateProcessId(request?.processId);
    return this.registry.get(options?.principal, request.processId);
  }

  private checkOpen(options: CallOptions | undefined): void {
    if (this.closed) throw new ProcwireError(ErrorCode.Closed, 'the local transport is closed');
    const signal = options?.signal;
    if (signal?.aborted === true) {
      throw ProcwireError.from(signal.reason ?? new DOMException('aborted', 'AbortError'), ErrorCode.Aborted);
    }
  }
}
