/**
 * dockerTransport(): a host whose processes run inside an existing container, through the Engine
 * API's exec endpoints. It implements the core transport contract with the host building blocks of
 * `@procwire/core/transport`, exactly as `localTransport()` does on this machine.
 */
import type { Duplex, Readable } from 'node:stream';
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
  type SignalName,
  type SignalRequest,
  type StartRequest,
  type TerminalSize,
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
import type Docker from 'dockerode';
import { engineError } from './engine-errors.js';
import { ExecConnection } from './exec-connection.js';
import { type ExecControl, ExecProcess } from './exec-process.js';
import { signalArgv, wrapperArgv } from './exec-wrapper.js';
import { type DockerTransportOptions, type ResolvedOptions, resolveOptions } from './options.js';
import { signalFromHost } from './host-signal.js';
import { signalNumberOf } from './signals.js';

/** How long the host waits for the engine to report an ended exec's exit code. */
const EXIT_CODE_WAIT_MS = 5000;

/**
 * A transport that runs processes inside the container `options.container`, each through its own
 * exec. Each process leads its own process group there; signals reach the whole group. `close()`
 * kills every process it started (the container keeps running). Throws `invalid_argument` for a
 * bad option.
 *
 * @example
 * const client = createClient(dockerTransport({ container: 'sandbox' }));
 * const p = await client.exec(['sh', '-c', 'echo hi; hostname']);
 * await p.wait(); // 0
 */
export function dockerTransport(options: DockerTransportOptions): Transport {
  return new DockerTransport(resolveOptions(options));
}

class DockerTransport implements Transport {
  private readonly registry: ProcessRegistry<ExecProcess>;
  private readonly container: Docker.Container;
  /** Starts not yet registered, by principal and id (starts are idempotent). */
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
    this.container = options.docker.getContainer(options.container);
  }

  async start(request: StartRequest, options?: CallOptions): Promise<ProcessInfo> {
    this.checkOpen(options);
    validateStartRequest(request, {
      maxArgvBytes: this.options.maxArgvBytes,
      maxEnvBytes: this.options.maxEnvBytes,
      maxEnvEntries: this.options.maxEnvEntries,
    });
    const principal = options?.principal;
    const existing = this.registry.find(principal, request.processId);
    if (existing !== undefined) return existing.info();
    const startingKey = JSON.stringify([principal ?? null, request.processId]);
    const starting = this.starting.get(startingKey);
    if (starting !== undefined) return starting.info;
    let ofPrincipal = 0;
    for (const entry of this.starting.values()) if (entry.principal === principal) ofPrincipal++;
    this.registry.checkCapacity(principal, { total: this.starting.size, ofPrincipal });
    const info = this.launch(request, principal);
    this.starting.set(startingKey, { principal, info });
    return info.finally(() => this.starting.delete(startingKey));
  }

  private async launch(request: StartRequest, principal: string | undefined): Promise<ProcessInfo> {
    const tty = request.pty !== undefined;
    let execId = '';
    // The engine applies concurrent resizes in any order: one at a time, so the last one asked
    // for is the size the terminal keeps (the start's own size must not land after a resize()).
    let resizing: Promise<void> = Promise.resolve();
    const resizeInOrder = (size: TerminalSize): Promise<void> => {
      const resized = resizing.then(() => this.resizeExec(execId, size));
      resizing = resized.catch(() => {});
      return resized;
    };
    const control: ExecControl = {
      signalGroup: (pgid, signal) => this.signalGroup(execId, pgid, signal),
      resize: resizeInOrder,
      exitCode: () => this.exitCode(execId),
    };
    const process = new ExecProcess({
      request,
      principal,
      outputWindowBytes: this.options.outputWindowBytes,
      outputBurstBytes: this.options.outputBurstBytes,
      outputPool: this.options.outputPool,
      replayBytes: this.options.replayBytes,
      killGraceMs: this.options.killGraceMs,
      control,
      onExit: () => this.registry.markExited(principal, request.processId),
    });
    const env: string[] = [];
    const unset: string[] = [];
    for (const [key, value] of Object.entries(request.env ?? {})) {
      if (value === undefined) unset.push(key);
      else env.push(`${key}=${value}`);
    }
    if (request.pty !== undefined) env.push(`TERM=${request.pty.term}`);
    let socket: Duplex;
    try {
      const exec = await this.container.exec({
        Cmd: wrapperArgv({
          argv: request.argv,
          ...(request.cwd === undefined ? {} : { cwd: request.cwd }),
          ...(request.pty === undefined ? {} : { pty: request.pty }),
          unset,
        }),
        Env: env,
        AttachStdin: true,
        AttachStdout: true,
        AttachStderr: !tty,
        Tty: tty,
        ...(this.options.user === undefined ? {} : { User: this.options.user }),
      });
      execId = exec.id;
      socket = (await exec.start({ hijack: true, stdin: true, Tty: tty })) as Duplex;
    } catch (error) {
      throw engineError(error, this.options.container);
    }
    process.attach(new ExecConnection(socket, tty, process), request.timeoutMs);
    if (request.pty !== undefined) void resizeInOrder(request.pty).catch(() => {});
    const header = await process.started;
    if (header instanceof Error) {
      throw new ProcwireError(ErrorCode.FailedPrecondition, `cannot run in container ${JSON.stringify(this.options.container)}: ${header.message}`, {
        cause: header,
      });
    }
    if ('failure' in header) {
      await process.wait().catch(() => {});
      if (header.failure === 'cwd') {
        throw new ProcwireError(ErrorCode.InvalidArgument, `cwd ${JSON.stringify(request.cwd)} is not a directory in the container`, {
          argv: request.argv,
        });
      }
      throw new ProcwireError(ErrorCode.NotFound, `command not found in the container: ${JSON.stringify(request.argv[0])}`, {
        argv: request.argv,
      });
    }
    if (this.closed) {
      await process.stop(this.options.killGraceMs);
      throw new ProcwireError(ErrorCode.Closed, 'the docker transport is closed');
    }
    this.registry.add(principal, request.processId, process);
    // It may have ended before it was registered.
    if (process.hasEnded) this.registry.markExited(principal, request.processId);
    return process.info();
  }

  /**
   * Sends `signal` to the process group `pgid` with an exec of the fixed kill command, and waits
   * for it. A container at its pids limit has no room for that exec: then the group is signalled
   * from this host, when the engine runs here (see `signalFromHost`).
   */
  private async signalGroup(execId: string, pgid: number, signal: SignalName): Promise<void> {
    try {
      const exec = await this.container.exec({
        Cmd: signalArgv(signal.slice(3), pgid),
        AttachStdout: true,
        AttachStderr: true,
        ...(this.options.user === undefined ? {} : { User: this.options.user }),
      });
      const stream = (await exec.start({})) as Readable;
      const output: Buffer[] = [];
      await new Promise<void>((resolve) => {
        stream.on('data', (chunk: Buffer) => output.push(chunk));
        stream.on('end', resolve);
        stream.on('close', resolve);
        stream.on('error', () => resolve());
      });
      const inspected = await exec.inspect();
      if (inspected.ExitCode === 0) return;
      // The exec could not start (the runtime says so on its output, and exits 126 or more).
      if (await signalFromHost(this.options.docker, execId, signal)) return;
      throw new ProcwireError(ErrorCode.Unavailable, `cannot signal in container ${this.options.container}: ${Buffer.concat(output).toString('utf8').trim()}`);
    } catch (error) {
      const mapped = engineError(error, this.options.container);
      if (mapped.code === ErrorCode.NotFound) return;
      if (mapped.code !== ErrorCode.Unavailable && (await signalFromHost(this.options.docker, execId, signal))) return;
      throw mapped;
    }
  }

  private async resizeExec(execId: string, size: TerminalSize): Promise<void> {
    try {
      await this.options.docker.getExec(execId).resize({ h: size.rows, w: size.cols });
    } catch (error) {
      throw engineError(error, this.options.container);
    }
  }

  /** The exit code of an ended exec: the engine may report it a moment after the stream ended. */
  private async exitCode(execId: string): Promise<number> {
    const exec = this.options.docker.getExec(execId);
    const deadline = Date.now() + EXIT_CODE_WAIT_MS;
    for (let delay = 1; ; delay = Math.min(delay * 2, 100)) {
      const inspected = await exec.inspect();
      if (!inspected.Running && typeof inspected.ExitCode === 'number') return inspected.ExitCode;
      if (Date.now() > deadline) throw new Error(`the engine reports exec ${execId} still running after its output ended`);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }

  readOutput(request: ReadOutputRequest, options?: CallOptions): AsyncIterable<OutputChunk> {
    const signal = options?.signal;
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
    signalNumberOf(request.signal);
    await this.find(request, options).signal(request.signal);
  }

  async resize(request: ResizeRequest, options?: CallOptions): Promise<void> {
    this.checkOpen(options);
    validateTerminalSize(request.size);
    await this.find(request, options).resize(request.size);
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
    await Promise.allSettled([...this.starting.values()].map((entry) => entry.info));
    await Promise.all(this.registry.all().map((process) => process.stop(this.options.killGraceMs)));
    this.registry.clear();
  }

  private find(request: { readonly processId: string }, options: CallOptions | undefined): ExecProcess {
    const found = this.registry.find(options?.principal, request?.processId);
    if (found !== undefined) return found;
    validateProcessId(request?.processId);
    return this.registry.get(options?.principal, request.processId);
  }

  private checkOpen(options: CallOptions | undefined): void {
    if (this.closed) throw new ProcwireError(ErrorCode.Closed, 'the docker transport is closed');
    const signal = options?.signal;
    if (signal?.aborted === true) {
      throw ProcwireError.from(signal.reason ?? new DOMException('aborted', 'AbortError'), ErrorCode.Aborted);
    }
  }
}
