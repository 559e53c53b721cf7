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
import type { ProcessSource } from './process-source.js';
import type { HelperSink } from './spawn-helper.js';
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

export class HostedProcess implements HelperSink {
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
  /** Set when the exit status cannot be known (the spawn helper died); `wait()` rejects with it. */
  private lost: ProcwireError | undefined;
  /** The end was reported: an exit status, or the `lost` error. */
  private ended = false;
  private exitedAt: number | undefined;
  private timedOut = false;
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private readonly exited: Promise<ExitStatus>;
  private resolveExited!: (status: ExitStatus) => void;
  private rejectExited!: (error: ProcwireError) => void;
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
    this.exited = new Promise((resolve, reject) => {
      this.resolveExited = resolve;
      this.rejectExited = reject;
    });
    // A lost process nobody waits for is not an unhandled rejection.
    this.exited.catch(() => {});
    this.stdout = this.window(1, request.stdout, options.outputWindowBytes);
    this.stderr = this.window(2, request.stderr, options.outputWindowBytes);
    for (const window of [this.stdout, this.stderr]) void window.whenEnded().then(() => this.settle());
  }

  /** Connect the started source, and arm the timeout. */
  attach(source: ProcessSource, timeoutMs: number | undefined): void {
    this.source = source;
    // A source launched asynchronously (spawn helper) may have run a little before attaching.
    if (this.stdout.isPaused) source.pauseOutput(1);
    if (this.stderr.isPaused) source.pauseOutput(2);
    if (this.leaderDone) source.discardInput();
    if (timeoutMs !== undefined && !this.ended) this.later(timeoutMs, () => this.timeout());
  }

  get pid(): number | undefined {
    return this.source?.pid;
  }

  get exitStatus(): ExitStatus | undefined {
    return this.status;
  }

  /** True once the end was reported (an exit status, or `process_lost`). */
  get hasEnded(): boolean {
    return this.ended;
  }

  /** The exit status, `undefined` while running; throws `process_lost` when it cannot be known. */
  poll(): ExitStatus | undefined {
    if (this.lost !== undefined && this.ended) throw this.lost;
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

  leaderLost(error: ProcwireError): void {
    if (this.leaderStatus !== undefined || this.lost !== undefined) return;
    this.lost = error;
    this.leaderGone();
    this.settle();
  }

  /** Resolves with the exit status; rejects with `aborted` when `signal` aborts first. */
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

  /** Send `signal` to the process group; nothing to do once the process has exited. */
  signal(signal: SignalName | number): void {
    if (this.ended || this.source === undefined) return;
    signalGroup(this.source.pid, signal, !this.leaderDone);
  }

  async writeInput(request: WriteInputRequest, signal?: AbortSignal): Promise<WriteInputResult> {
    const fresh = this.input.accept(request);
    const source = this.source;
    // Input for a process that has exited is accepted and discarded.
    if (source !== undefined && !this.leaderDone) {
      const written = fresh.data.byteLength > 0 ? source.writeInput(fresh.data) : Promise.resolve();
      // EOF follows the bytes even when the caller stops waiting (a retry is trimmed, EOF included).
      if (fresh.eof) void written.then(() => source.endInput(), () => {});
      await untilAborted(written, signal);
    }
    return this.input.info();
  }

  resize(size: TerminalSize): void {
    if (this.terminal === undefined) {
      throw new ProcwireError(ErrorCode.FailedPrecondition, `process ${this.processId} has no terminal: start it with pty to resize it`);
    }
    this.terminal = { ...this.terminal, cols: size.cols, rows: size.rows };
    if (!this.ended) this.source?.resize(size);
  }

  /**
   * Kill the whole group now (close of the transport), and give up outputs still open after
   * `graceMs`, so that close always finishes.
   */
  async stop(graceMs: number): Promise<void> {
    if (this.ended) return;
    this.clearTimers();
    if (this.source !== undefined) signalGroup(this.source.pid, 'SIGKILL', !this.leaderDone);
    // Nobody will read a full window now: stop waiting for what the kernel still holds for it.
    if (this.stdout.isPaused) this.source?.abandonOutput(1);
    if (this.stderr.isPaused) this.source?.abandonOutput(2);
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
      state: this.ended ? 'exited' : 'running',
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
    if (this.ended) return;
    if (this.leaderStatus === undefined && this.lost === undefined) return;
    if (!this.stdout.eof || !this.stderr.eof) return;
    this.ended = true;
    this.exitedAt = Date.now();
    this.clearTimers();
    if (this.leaderStatus === undefined) {
      this.rejectExited(this.lost as ProcwireError);
    } else {
      this.status = exitStatusOf(this.leaderStatus.code, this.leaderStatus.signal, this.timedOut);
      this.resolveExited(this.status);
    }
    this.onExit();
  }

  private timeout(): void {
    if (this.leaderDone || this.source === undefined) return;
    this.timedOut = true;
    signalGroup(this.source.pid, 'SIGTERM', true);
    this.later(this.killGraceMs, () => {
      if (!this.ended && this.source !== undefined) signalGroup(this.source.pid, 'SIGKILL', !this.leaderDone);
    });
  }

  /**
   * The leader exited a grace period ago and the outputs are still open: members of its group
   * hold them. Kill the group; then, every grace period, give up a stream that is not paused by
   * its window and made no progress (a process outside the group holds it).
   */
  private reapOrphans(): void {
    if (this.ended || this.source === undefined) return;
    signalGroup(this.source.pid, 'SIGKILL');
    const seen = { 1: this.stdout.written, 2: this.stderr.written };
    const check = () => {
      if (this.ended) return;
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

/** `promise`, or an `aborted` rejection as soon as `signal` aborts (the work itself goes on). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  if (signal.aborted) return Promise.reject(ProcwireError.from(signal.reason, ErrorCode.Aborted));
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(ProcwireError.from(signal.reason, ErrorCode.Aborted));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
