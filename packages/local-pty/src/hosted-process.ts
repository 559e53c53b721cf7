/**
 * HostedProcess: one process on this host, whatever runs it. It owns the output windows and the
 * input cursor, and the rules every mode shares: exit is reported only after the leader exited AND
 * both outputs reached EOF; timeout is SIGTERM then SIGKILL to the group; orphans that hold the
 * outputs after the leader exited are killed (and, if they escaped the group, abandoned).
 */
import {
  type ExitStatus,
  InputCursor,
  type OutputFd,
  OutputWindow,
  type ProcessInfo,
  ProcwireError,
  ErrorCode,
  type PtySettings,
  type SignalName,
  type StartRequest,
  type TerminalSize,
  type WriteInputRequest,
  type WriteInputResult,
} from '@procwire/core/transport';
import type { ProcessSink, ProcessSource } from './process-source.js';
import { exitStatusOf, signalGroup } from './signals.js';

/** What a hosted process needs from the transport. */
export interface HostedProcessOptions {
  readonly request: StartRequest;
  readonly principal: string | undefined;
  readonly cwd: string;
  readonly outputWindowBytes: number;
  readonly killGraceMs: number;
  /** Called once, when the exit status is known (both outputs at EOF). */
  readonly onExit: () => void;
}

export class HostedProcess implements ProcessSink {
  readonly processId: string;
  readonly principal: string | undefined;
  readonly argv: readonly string[];
  readonly cwd: string;
  readonly startedAt = Date.now();
  readonly stdout: OutputWindow;
  readonly stderr: OutputWindow;
  readonly input = new InputCursor();
  private terminal: PtySettings | undefined;
  private source: ProcessSource | undefined;
  private leaderDone = false;
  private leaderStatus: { code: number | null; signal: string | number | null } | undefined;
  private status: ExitStatus | undefined;
  private exitedAt: number | undefined;
  private timedOut = false;
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private readonly exited: Promise<ExitStatus>;
  private resolveExited!: (status: ExitStatus) => void;
  private readonly killGraceMs: number;
  private readonly onExit: () => void;

  constructor(options: HostedProcessOptions) {
    const { request } = options;
    this.processId = request.processId;
    this.principal = options.principal;
    this.argv = [...request.argv];
    this.cwd = options.cwd;
    this.terminal = request.pty === undefined ? undefined : { ...request.pty };
    this.killGraceMs = options.killGraceMs;
    this.onExit = options.onExit;
    this.exited = new Promise((resolve) => {
      this.resolveExited = resolve;
    });
    this.stdout = this.window(1, request.stdout, options.outputWindowBytes);
    this.stderr = this.window(2, request.stderr, options.outputWindowBytes);
    for (const window of [this.stdout, this.stderr]) void window.whenEnded().then(() => this.settle());
  }

  /** Connect the started source, and arm the timeout. */
  attach(source: ProcessSource, timeoutMs: number | undefined): void {
    this.source = source;
    if (timeoutMs !== undefined && this.status === undefined) this.later(timeoutMs, () => this.timeout());
  }

  get pid(): number | undefined {
    return this.source?.pid;
  }

  get exitStatus(): ExitStatus | undefined {
    return this.status;
  }

  leaderGone(): void {
    if (this.leaderDone) return;
    this.leaderDone = true;
    this.source?.discardInput();
    if (!this.stdout.eof || !this.stderr.eof) this.later(this.killGraceMs, () => this.reapOrphans());
  }

  leaderExited(code: number | null, signal: string | number | null): void {
    this.leaderStatus = { code, signal };
    this.leaderGone();
    this.settle();
  }

  /** Resolves with the exit status; rejects with `aborted` when `signal` aborts first. */
  wait(signal?: AbortSignal): Promise<ExitStatus> {
    if (signal === undefined || this.status !== undefined) return this.exited;
    if (signal.aborted) return Promise.reject(ProcwireError.from(signal.reason, ErrorCode.Aborted));
    return new Promise((resolve, reject) => {
      const onAbort = () => reject(ProcwireError.from(signal.reason, ErrorCode.Aborted));
      signal.addEventListener('abort', onAbort, { once: true });
      void this.exited.then((status) => {
        signal.removeEventListener('abort', onAbort);
        resolve(status);
      });
    });
  }

  /** Send `signal` to the process group; nothing to do once the process has exited. */
  signal(signal: SignalName | number): void {
    if (this.status !== undefined || this.source === undefined) return;
    signalGroup(this.source.pid, signal, !this.leaderDone);
  }

  async writeInput(request: WriteInputRequest): Promise<WriteInputResult> {
    const fresh = this.input.accept(request);
    const source = this.source;
    // Input for a process that has exited is accepted and discarded.
    if (source !== undefined && !this.leaderDone) {
      if (fresh.data.byteLength > 0) await source.writeInput(fresh.data);
      if (fresh.eof) source.endInput();
    }
    return this.input.info();
  }

  resize(size: TerminalSize): void {
    if (this.terminal === undefined) {
      throw new ProcwireError(ErrorCode.FailedPrecondition, `process ${this.processId} has no terminal: start it with pty to resize it`);
    }
    this.terminal = { ...this.terminal, cols: size.cols, rows: size.rows };
    if (this.status === undefined) this.source?.resize(size);
  }

  /**
   * Kill the whole group now (close of the transport), and give up outputs still open after
   * `graceMs`, so that close always finishes.
   */
  async stop(graceMs: number): Promise<void> {
    if (this.status !== undefined) return;
    this.clearTimers();
    if (this.source !== undefined) signalGroup(this.source.pid, 'SIGKILL', !this.leaderDone);
    // Nobody will read a full window now: stop waiting for what the kernel still holds for it.
    if (this.stdout.isPaused) this.source?.abandonOutput(1);
    if (this.stderr.isPaused) this.source?.abandonOutput(2);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const gaveUp = await Promise.race([
      this.exited.then(() => false),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), graceMs);
      }),
    ]);
    clearTimeout(timer);
    if (gaveUp) {
      this.source?.abandonOutput(1);
      this.source?.abandonOutput(2);
    }
  }

  info(): ProcessInfo {
    const status = this.status;
    return {
      processId: this.processId,
      argv: this.argv,
      cwd: this.cwd,
      ...(this.source === undefined ? {} : { pid: this.source.pid }),
      ...(this.terminal === undefined ? {} : { pty: { ...this.terminal } }),
      state: status === undefined ? 'running' : 'exited',
      ...(status === undefined ? {} : { exit: status, exitedAt: this.exitedAt }),
      startedAt: this.startedAt,
      stdout: this.stdout.info(),
      stderr: this.stderr.info(),
      stdin: this.input.info(),
      outputWindowBytes: this.stdout.windowBytes,
    };
  }

  private window(fd: OutputFd, mode: 'pipe' | 'devnull', windowBytes: number): OutputWindow {
    return new OutputWindow({
      windowBytes,
      mode,
      name: fd === 1 ? 'stdout' : 'stderr',
      pause: () => this.source?.pauseOutput(fd),
      resume: () => this.source?.resumeOutput(fd),
    });
  }

  /** Report the exit once the leader's status is known and both outputs reached EOF. */
  private settle(): void {
    if (this.status !== undefined || this.leaderStatus === undefined) return;
    if (!this.stdout.eof || !this.stderr.eof) return;
    this.status = exitStatusOf(this.leaderStatus.code, this.leaderStatus.signal, this.timedOut);
    this.exitedAt = Date.now();
    this.clearTimers();
    this.resolveExited(this.status);
    this.onExit();
  }

  private timeout(): void {
    if (this.leaderDone || this.source === undefined) return;
    this.timedOut = true;
    signalGroup(this.source.pid, 'SIGTERM', true);
    this.later(this.killGraceMs, () => {
      if (this.status === undefined && this.source !== undefined) signalGroup(this.source.pid, 'SIGKILL', !this.leaderDone);
    });
  }

  /**
   * The leader exited a grace period ago and the outputs are still open: members of its group
   * hold them. Kill the group; then, every grace period, give up a stream that is not paused by
   * its window and made no progress (a process outside the group holds it).
   */
  private reapOrphans(): void {
    if (this.status !== undefined || this.source === undefined) return;
    signalGroup(this.source.pid, 'SIGKILL');
    const seen = { 1: this.stdout.written, 2: this.stderr.written };
    const check = () => {
      if (this.status !== undefined) return;
      for (const [fd, window] of [
        [1, this.stdout],
        [2, this.stderr],
      ] as const) {
        if (window.eof) continue;
        if (!window.isPaused && window.written === seen[fd]) this.source?.abandonOutput(fd);
        seen[fd] = window.written;
      }
      this.later(this.killGraceMs, check);
    };
    this.later(this.killGraceMs, check);
  }

  private later(ms: number, run: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      run();
    }, ms);
    // The process itself keeps the host alive; its timers must not.
    timer.unref();
    this.timers.add(timer);
  }

  private clearTimers(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}
