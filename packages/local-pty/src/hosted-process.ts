/**
 * HostedProcess: one process on this host, whatever runs it. It owns the output windows and the
 * input cursor, and the rules every mode shares: exit is reported only after the leader exited AND
 * both outputs reached EOF; timeout is SIGTERM then SIGKILL to the group; orphans that hold the
 * outputs after the leader exited are killed (and, if they escaped the group, abandoned).
 *
 * The process is over only once its whole process group is gone: until then it counts against
 * the host's limits, is not forgotten, and `signal`, its timeout and `stop` still reach the
 * members that outlived the leader (a background job, a daemon that stayed in the group).
 */
import {
  type ExitStatus,
  type FreshInput,
  InputCursor,
  type OutputFd,
  type OutputPool,
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
  untilAborted,
} from '@procwire/core/transport';
import type { ProcessSource } from './process-source.js';
import type { HelperSink } from './spawn-helper.js';
import type { GroupWatch } from './group-watch.js';
import { exitStatusOf, signalGroup } from './signals.js';

/** What a hosted process needs from the transport. */
export interface HostedProcessOptions {
  readonly request: StartRequest;
  readonly principal: string | undefined;
  readonly cwd: string;
  readonly outputWindowBytes: number;
  /** What a stream being read may hold, borrowing past its window from `outputPool`. */
  readonly outputBurstBytes: number;
  readonly outputPool: OutputPool;
  /** Acknowledged output kept per stream for readers that start over. */
  readonly replayBytes: number;
  readonly killGraceMs: number;
  /** The most stdin bytes held for the process before it takes them. */
  readonly maxPendingInputBytes: number;
  /** Called once, when the process is over: its exit status is known and its group is gone. */
  readonly onOver: () => void;
  /** The host's watch of groups that outlive their leader. */
  readonly groups: GroupWatch;
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
  /** The timeout and its SIGKILL: they outlive the exit status while the group runs. */
  private readonly groupTimers = new Set<ReturnType<typeof setTimeout>>();
  /** No member of the process group is left (known only after the leader exited). */
  private groupGone = false;
  private groupWatched = false;
  private readonly groups: GroupWatch;
  /** Over: the end was reported and the group is gone. */
  private over = false;
  private readonly overPromise: Promise<void>;
  private resolveOver!: () => void;
  private readonly exited: Promise<ExitStatus>;
  private resolveExited!: (status: ExitStatus) => void;
  private rejectExited!: (error: ProcwireError) => void;
  private readonly killGraceMs: number;
  private readonly maxPendingInputBytes: number;
  /** Stdin bytes handed to the source that it has not taken yet, and those reserved for waiters. */
  private pendingInputBytes = 0;
  /** Writes waiting for room, in arrival order, and the bytes they hold. */
  private readonly inputWaiters: Array<{ readonly bytes: number; readonly admit: () => void }> = [];
  private waitingInputBytes = 0;
  private readonly onOver: () => void;

  constructor(options: HostedProcessOptions) {
    const { request } = options;
    this.processId = request.processId;
    this.principal = options.principal;
    this.argv = [...request.argv];
    this.cwd = options.cwd;
    this.terminal = request.pty === undefined ? undefined : { ...request.pty };
    this.killGraceMs = options.killGraceMs;
    this.maxPendingInputBytes = options.maxPendingInputBytes;
    this.onOver = options.onOver;
    this.groups = options.groups;
    this.overPromise = new Promise((resolve) => {
      this.resolveOver = resolve;
    });
    this.exited = new Promise((resolve, reject) => {
      this.resolveExited = resolve;
      this.rejectExited = reject;
    });
    // A lost process nobody waits for is not an unhandled rejection.
    this.exited.catch(() => {});
    this.stdout = this.window(1, request.stdout, options);
    this.stderr = this.window(2, request.stderr, options);
    for (const window of [this.stdout, this.stderr]) void window.whenEnded().then(() => this.settle());
  }

  /** Connect the started source, and arm the timeout. */
  attach(source: ProcessSource, timeoutMs: number | undefined): void {
    this.source = source;
    // A source launched asynchronously (spawn helper) may have run a little before attaching.
    if (this.stdout.isPaused) source.pauseOutput(1);
    if (this.stderr.isPaused) source.pauseOutput(2);
    if (this.leaderDone) source.discardInput();
    if (this.leaderDone) this.watchGroup();
    if (timeoutMs !== undefined && !this.ended) this.later(timeoutMs, () => this.timeout(), this.groupTimers);
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

  /** True once the end was reported and no member of the process group is left. */
  get isOver(): boolean {
    return this.over;
  }

  /** The host forgets this process: its output windows give back what they borrowed. */
  forgotten(): void {
    this.stdout.repayLoan();
    this.stderr.repayLoan();
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
    this.admitInputWaiters();
    this.watchGroup();
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

  /** Send `signal` to the process group, while any member of it runs. */
  signal(signal: SignalName | number): void {
    if (this.over || this.groupGone || this.source === undefined) return;
    signalGroup(this.source.pid, signal, !this.leaderDone);
    if (this.leaderDone) this.checkGroupSoon();
  }

  /**
   * Applies a stdin write; resolves once the process took the new bytes (backpressure). A write
   * that would pass `maxPendingInputBytes` waits its turn (bounded too: past another
   * `maxPendingInputBytes` of waiting writes it is `resource_exhausted`), until `signal` aborts it.
   */
  async writeInput(request: WriteInputRequest, signal?: AbortSignal): Promise<WriteInputResult> {
    const waitBytes = this.bytesToWaitFor(request);
    const reserved = waitBytes === 0 ? 0 : await this.waitForRoom(waitBytes, signal);
    let fresh: FreshInput;
    try {
      fresh = this.input.accept(request);
    } catch (error) {
      this.releaseInput(reserved);
      throw error;
    }
    const source = this.source;
    // Input for a process that has exited is accepted and discarded.
    if (source === undefined || this.leaderDone) {
      this.releaseInput(reserved);
      return this.input.info();
    }
    const bytes = fresh.data.byteLength;
    this.pendingInputBytes += bytes - reserved;
    const written = bytes > 0 ? source.writeInput(fresh.data) : undefined;
    if (written === undefined) {
      // Taken at once (a keystroke, a line): answered without a promise to wait on.
      if (fresh.eof) source.endInput();
      this.releaseInput(bytes);
      return this.input.info();
    }
    // The bytes count until the process took them, even when the caller stops waiting (abort);
    // EOF follows them (a retry is trimmed, EOF included).
    void written
      .then(
        () => {
          if (fresh.eof) source.endInput();
        },
        () => {},
      )
      .finally(() => this.releaseInput(bytes));
    await untilAborted(written, signal);
    return this.input.info();
  }

  /** Forgets `bytes` of stdin as pending and lets waiting writes go. */
  private releaseInput(bytes: number): void {
    if (bytes <= 0) return;
    this.pendingInputBytes -= bytes;
    this.admitInputWaiters();
  }

  /**
   * The new bytes of `request` when it must wait for room: other writes wait already (order is
   * kept), or the bytes the process has not taken plus these would pass `maxPendingInputBytes`.
   * A write that finds nothing pending never waits: one awaited write at a time never does. 0: go.
   */
  private bytesToWaitFor(request: WriteInputRequest): number {
    if (this.source === undefined || this.leaderDone) return 0;
    const length = request.data.byteLength;
    const fresh = Math.min(length, request.offset + length - this.input.offset);
    if (!(fresh > 0)) return 0;
    if (this.inputWaiters.length > 0) return fresh;
    return this.pendingInputBytes > 0 && this.pendingInputBytes + fresh > this.maxPendingInputBytes ? fresh : 0;
  }

  /** Waits until the write's `bytes` fit; resolves with the bytes reserved for it in the count. */
  private waitForRoom(bytes: number, signal: AbortSignal | undefined): Promise<number> {
    if (this.waitingInputBytes + bytes > this.maxPendingInputBytes) {
      return Promise.reject(
        new ProcwireError(
          ErrorCode.ResourceExhausted,
          `stdin of process ${this.processId} holds ${this.pendingInputBytes} bytes the process has not taken and ${this.waitingInputBytes} waiting; ${bytes} more would pass maxPendingInputBytes (${this.maxPendingInputBytes}): await each write`,
          { processId: this.processId },
        ),
      );
    }
    if (signal?.aborted) return Promise.reject(ProcwireError.from(signal.reason, ErrorCode.Aborted));
    this.waitingInputBytes += bytes;
    return new Promise((resolve, reject) => {
      const waiter = {
        bytes,
        admit: () => {
          signal?.removeEventListener('abort', onAbort);
          this.waitingInputBytes -= bytes;
          resolve(bytes);
        },
      };
      const onAbort = () => {
        const index = this.inputWaiters.indexOf(waiter);
        if (index !== -1) this.inputWaiters.splice(index, 1);
        this.waitingInputBytes -= bytes;
        reject(ProcwireError.from(signal?.reason, ErrorCode.Aborted));
        // The head may have changed.
        this.admitInputWaiters();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.inputWaiters.push(waiter);
    });
  }

  /** Lets waiting writes go, in order, while they fit (all of them once the leader is gone). */
  private admitInputWaiters(): void {
    for (;;) {
      const head = this.inputWaiters[0];
      if (head === undefined) return;
      const fits = this.pendingInputBytes === 0 || this.pendingInputBytes + head.bytes <= this.maxPendingInputBytes;
      if (!this.leaderDone && !fits) return;
      this.inputWaiters.shift();
      // Reserved now, so the next one is measured with it.
      this.pendingInputBytes += head.bytes;
      head.admit();
    }
  }

  resize(size: TerminalSize): void {
    if (this.terminal === undefined) {
      throw new ProcwireError(ErrorCode.FailedPrecondition, `process ${this.processId} has no terminal: start it with pty to resize it`);
    }
    this.terminal = { ...this.terminal, cols: size.cols, rows: size.rows };
    if (!this.ended) this.source?.resize(size);
  }

  /**
   * End the process and every member of its group (close of the transport): SIGTERM, then
   * SIGKILL after `graceMs`. Gives up outputs still open after a further `graceMs`, so that close always finishes;
   * resolves once the process is over or that time has passed.
   */
  async stop(graceMs: number): Promise<void> {
    if (this.over || this.source === undefined) return;
    this.clearTimers(this.groupTimers);
    this.clearTimers(this.timers);
    const { pid } = this.source;
    const terminate = (signal: SignalName) => {
      if (!this.groupGone) signalGroup(pid, signal, !this.leaderDone);
      if (this.leaderDone) this.checkGroupSoon();
    };
    terminate('SIGTERM');
    if (await this.overWithin(graceMs)) return;
    terminate('SIGKILL');
    // Nobody will read a full window now: stop waiting for what the kernel still holds for it.
    if (this.stdout.isPaused) this.source.abandonOutput(1);
    if (this.stderr.isPaused) this.source.abandonOutput(2);
    if (await this.overWithin(graceMs)) return;
    this.source.abandonOutput(1);
    this.source.abandonOutput(2);
  }

  /** True when the process is over within `ms`. */
  private async overWithin(ms: number): Promise<boolean> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const over = await Promise.race([
      this.overPromise.then(() => true),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), ms);
      }),
    ]);
    clearTimeout(timer);
    return over;
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
      ...(this.leaderDone && !this.groupGone && !this.over ? { groupRunning: true } : {}),
      startedAt: this.startedAt,
      stdout: this.stdout.info(),
      stderr: this.stderr.info(),
      stdin: this.input.info(),
      outputWindowBytes: this.stdout.windowBytes,
    };
  }

  private window(fd: OutputFd, mode: 'pipe' | 'devnull', options: HostedProcessOptions): OutputWindow {
    return new OutputWindow({
      windowBytes: options.outputWindowBytes,
      burstBytes: options.outputBurstBytes,
      pool: options.outputPool,
      replayBytes: options.replayBytes,
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
    this.clearTimers(this.timers);
    if (this.leaderStatus === undefined) {
      this.rejectExited(this.lost as ProcwireError);
    } else {
      this.status = exitStatusOf(this.leaderStatus.code, this.leaderStatus.signal, this.timedOut);
      this.resolveExited(this.status);
    }
    this.finish();
  }

  /** Over once the end was reported and the group is gone. */
  private finish(): void {
    if (this.over || !this.ended || !this.groupGone) return;
    this.over = true;
    this.clearTimers(this.groupTimers);
    this.resolveOver();
    this.onOver();
  }

  /** After the leader exited: over once the rest of its group is gone too. */
  private watchGroup(): void {
    if (this.groupGone || this.groupWatched || this.source === undefined) return;
    this.groupWatched = true;
    this.groups.watch(this.source.pid, () => {
      this.groupGone = true;
      this.finish();
    });
  }

  /** A signal was sent to the group: look again soon. */
  private checkGroupSoon(): void {
    if (this.groupWatched && !this.groupGone) this.groups.soon();
  }

  private timeout(): void {
    if (this.over || this.source === undefined) return;
    // The exit status says so only when the leader was still running.
    if (!this.leaderDone) this.timedOut = true;
    this.signal('SIGTERM');
    this.later(this.killGraceMs, () => this.signal('SIGKILL'), this.groupTimers);
  }

  /**
   * The leader exited a grace period ago and the outputs are still open: members of its group
   * hold them. Kill the group; then, every grace period, give up a stream that is not paused by
   * its window and made no progress (a process outside the group holds it).
   */
  private reapOrphans(): void {
    if (this.ended || this.source === undefined) return;
    if (!this.groupGone) signalGroup(this.source.pid, 'SIGKILL');
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

  private later(ms: number, run: () => void, timers = this.timers): void {
    const timer = setTimeout(() => {
      timers.delete(timer);
      run();
    }, ms);
    // The process itself keeps the host alive; its timers must not.
    timer.unref();
    timers.add(timer);
  }

  private clearTimers(timers: Set<ReturnType<typeof setTimeout>>): void {
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
  }
}
