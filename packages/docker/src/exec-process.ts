/**
 * ExecProcess: one process running in a container through an exec. It owns the output windows and
 * the input cursor, and the rules of every host: exit is reported only once the connection ended
 * (both outputs at EOF) and the engine reports the exit code; a timeout is SIGTERM then SIGKILL to
 * the process group.
 */
import {
  ErrorCode,
  type ExitStatus,
  InputCursor,
  type OutputFd,
  type OutputPool,
  OutputWindow,
  type ProcessInfo,
  ProcwireError,
  type PtySettings,
  type SignalName,
  type StartRequest,
  type TerminalSize,
  type WriteInputRequest,
  type WriteInputResult,
  untilAborted,
} from '@procwire/core/transport';
import type { ConnectionSink, ExecConnection } from './exec-connection.js';
import type { WrapperHeader } from './exec-wrapper.js';
import { signalNameOf } from './signals.js';

/** What a process asks of the engine. */
export interface ExecControl {
  /** Sends `signal` to the process group `pgid` in the container; resolves once delivered. */
  signalGroup(pgid: number, signal: SignalName): Promise<void>;
  /** Resizes the exec's terminal. */
  resize(size: TerminalSize): Promise<void>;
  /** The exit code once the engine knows it. */
  exitCode(): Promise<number>;
}

export interface ExecProcessOptions {
  readonly request: StartRequest;
  readonly principal: string | undefined;
  readonly outputWindowBytes: number;
  /** What a stream being read may hold, borrowing past its window from `outputPool`. */
  readonly outputBurstBytes: number;
  readonly outputPool: OutputPool;
  /** Acknowledged output kept per stream for readers that start over. */
  readonly replayBytes: number;
  readonly killGraceMs: number;
  readonly control: ExecControl;
  /** Called once, when the exit status is known. */
  readonly onExit: () => void;
}

export class ExecProcess implements ConnectionSink {
  readonly processId: string;
  readonly principal: string | undefined;
  readonly argv: readonly string[];
  readonly cwd: string | undefined;
  readonly startedAt = Date.now();
  readonly stdout: OutputWindow;
  readonly stderr: OutputWindow;
  readonly input = new InputCursor();
  /** The pid inside the container: the leader of the process's group. */
  pid: number | undefined;
  private connection: ExecConnection | undefined;
  private terminal: PtySettings | undefined;
  private status: ExitStatus | undefined;
  private lost: ProcwireError | undefined;
  private ended = false;
  private exitedAt: number | undefined;
  private timedOut = false;
  private readonly sentSignals = new Set<string>();
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private readonly exited: Promise<ExitStatus>;
  private resolveExited!: (status: ExitStatus) => void;
  private rejectExited!: (error: ProcwireError) => void;
  private headerArrived!: (header: WrapperHeader | Error) => void;
  /** The wrapper's header, or the error that came instead: `start` waits for it. */
  readonly started: Promise<WrapperHeader | Error>;

  constructor(private readonly options: ExecProcessOptions) {
    const { request } = options;
    this.processId = request.processId;
    this.principal = options.principal;
    this.argv = [...request.argv];
    this.cwd = request.cwd;
    this.terminal = request.pty === undefined ? undefined : { ...request.pty };
    this.exited = new Promise((resolve, reject) => {
      this.resolveExited = resolve;
      this.rejectExited = reject;
    });
    this.exited.catch(() => {});
    this.started = new Promise((resolve) => {
      this.headerArrived = resolve;
    });
    this.stdout = this.window(1, request.stdout, options);
    this.stderr = this.window(2, request.stderr, options);
  }

  /** Connect the exec's connection and arm the timeout. */
  attach(connection: ExecConnection, timeoutMs: number | undefined): void {
    this.connection = connection;
    if (timeoutMs !== undefined) this.later(timeoutMs, () => this.timeout());
  }

  get hasEnded(): boolean {
    return this.ended;
  }

  header(header: WrapperHeader): void {
    if ('pid' in header) this.pid = header.pid;
    this.headerArrived(header);
  }

  output(fd: OutputFd, data: Uint8Array): void {
    (fd === 1 ? this.stdout : this.stderr).push(data);
  }

  closed(error?: Error): void {
    this.headerArrived(error ?? new Error('the exec ended before the command started'));
    this.stdout.end();
    this.stderr.end();
    if (error !== undefined && this.pid === undefined) {
      this.finish(undefined, error);
      return;
    }
    this.options.control.exitCode().then(
      (code) => this.finish(code),
      (failure: unknown) => this.finish(undefined, failure),
    );
  }

  poll(): ExitStatus | undefined {
    if (this.lost !== undefined) throw this.lost;
    return this.status;
  }

  wait(signal?: AbortSignal): Promise<ExitStatus> {
    if (signal === undefined || this.ended) return this.exited;
    if (signal.aborted) return Promise.reject(ProcwireError.from(signal.reason, ErrorCode.Aborted));
    return new Promise((resolve, reject) => {
      const onAbort = () => reject(ProcwireError.from(signal.reason, ErrorCode.Aborted));
      signal.addEventListener('abort', onAbort, { once: true });
      this.exited.then(
        (status) => {
          signal.removeEventListener('abort', onAbort);
          resolve(status);
        },
        (error: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(error);
        },
      );
    });
  }

  /** Signals the process group; nothing to do once the process has exited. */
  async signal(signal: SignalName): Promise<void> {
    if (this.ended || this.pid === undefined) return;
    this.sentSignals.add(signal);
    await this.options.control.signalGroup(this.pid, signal);
  }

  /** Applies a stdin write; resolves once the engine took the bytes, or rejects `aborted` with `signal`. */
  async writeInput(request: WriteInputRequest, signal?: AbortSignal): Promise<WriteInputResult> {
    const fresh = this.input.accept(request);
    const connection = this.connection;
    if (connection !== undefined && !this.ended) {
      const written = fresh.data.byteLength > 0 ? connection.write(fresh.data) : Promise.resolve();
      // EOF follows the bytes even when the caller stops waiting (a retry is trimmed, EOF included).
      if (fresh.eof) void written.then(() => connection.endInput(), () => {});
      await untilAborted(written, signal);
    }
    return this.input.info();
  }

  async resize(size: TerminalSize): Promise<void> {
    if (this.terminal === undefined) {
      throw new ProcwireError(ErrorCode.FailedPrecondition, `process ${this.processId} has no terminal: start it with pty to resize it`);
    }
    this.terminal = { ...this.terminal, cols: size.cols, rows: size.rows };
    if (!this.ended) await this.options.control.resize(size);
  }

  /** Kills the group now (the transport closes), and drops the connection after `graceMs`. */
  async stop(graceMs: number): Promise<void> {
    if (this.ended) return;
    this.clearTimers();
    await this.signal('SIGKILL').catch(() => {});
    let timer: ReturnType<typeof setTimeout> | undefined;
    const gaveUp = await Promise.race([
      this.exited.then(
        () => false,
        () => false,
      ),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), graceMs);
      }),
    ]);
    clearTimeout(timer);
    if (gaveUp) this.connection?.destroy();
  }

  info(): ProcessInfo {
    const status = this.status;
    return {
      processId: this.processId,
      argv: this.argv,
      ...(this.cwd === undefined ? {} : { cwd: this.cwd }),
      ...(this.pid === undefined ? {} : { pid: this.pid }),
      ...(this.terminal === undefined ? {} : { pty: { ...this.terminal } }),
      state: this.ended ? 'exited' : 'running',
      ...(status === undefined ? {} : { exit: status, exitedAt: this.exitedAt }),
      startedAt: this.startedAt,
      stdout: this.stdout.info(),
      stderr: this.stderr.info(),
      stdin: this.input.info(),
      outputWindowBytes: this.stdout.windowBytes,
    };
  }

  /** The host forgets this process: its output windows give back what they borrowed. */
  forgotten(): void {
    this.stdout.repayLoan();
    this.stderr.repayLoan();
  }

  private window(fd: OutputFd, mode: 'pipe' | 'devnull', options: ExecProcessOptions): OutputWindow {
    return new OutputWindow({
      windowBytes: options.outputWindowBytes,
      burstBytes: options.outputBurstBytes,
      pool: options.outputPool,
      replayBytes: options.replayBytes,
      mode,
      name: fd === 1 ? 'stdout' : 'stderr',
      pause: () => this.connection?.pause(fd),
      resume: () => this.connection?.resume(fd),
    });
  }

  private finish(code: number | undefined, failure?: unknown): void {
    if (this.ended) return;
    this.ended = true;
    this.exitedAt = Date.now();
    this.clearTimers();
    if (code === undefined) {
      this.lost = ProcwireError.from(failure, ErrorCode.ProcessLost);
      if (this.lost.code !== ErrorCode.ProcessLost) {
        this.lost = new ProcwireError(ErrorCode.ProcessLost, `the exit status of process ${this.processId} cannot be known: ${this.lost.message}`, {
          cause: failure,
          processId: this.processId,
        });
      }
      this.rejectExited(this.lost);
    } else {
      this.status = this.exitStatusOf(code);
      this.resolveExited(this.status);
    }
    this.options.onExit();
  }

  /**
   * The engine reports `128 + n` for a process ended by signal n, like a shell; the signal's name
   * is reported when the host sent that signal (a process may also exit 137 by itself).
   */
  private exitStatusOf(code: number): ExitStatus {
    const flag = this.timedOut ? { timedOut: true } : {};
    const signal = code > 128 ? signalNameOf(code - 128) : undefined;
    if (signal !== undefined && this.sentSignals.has(signal)) return { code, signal, ...flag };
    return { code, ...flag };
  }

  private timeout(): void {
    if (this.ended) return;
    this.timedOut = true;
    void this.signal('SIGTERM').catch(() => {});
    this.later(this.options.killGraceMs, () => void this.signal('SIGKILL').catch(() => {}));
  }

  private later(ms: number, run: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      run();
    }, ms);
    timer.unref();
    this.timers.add(timer);
  }

  private clearTimers(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}
