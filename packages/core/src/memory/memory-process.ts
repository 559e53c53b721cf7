/**
 * One fake process of the memory host: runs a {@link MemoryProgram} against the same building
 * blocks a real host uses (OutputWindow, InputCursor), with signals, timeout and terminal size.
 */
import { ErrorCode, ProcwireError } from '../errors.js';
import type {
  ExitStatus,
  OutputFd,
  ProcessInfo,
  PtySettings,
  SignalName,
  StartRequest,
  TerminalSize,
  WriteInputRequest,
  WriteInputResult,
} from '../transport/contract.js';
import { InputCursor } from '../transport/input-cursor.js';
import { OutputWindow } from '../transport/output-window.js';
import { validateSignalName, validateTerminalSize } from '../transport/validate.js';
import type { MemoryProgram, MemoryProgramContext, MemoryProgramOutput } from './program.js';
import { ignoredByDefault, signalNumbers, stopSignals } from './signals.js';

/** What the memory host gives each process. */
export interface MemoryProcessInit {
  readonly request: StartRequest;
  readonly program: MemoryProgram;
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  readonly outputWindowBytes: number;
  /** Acknowledged output kept per stream for readers that start over. */
  readonly replayBytes: number;
  /** Unread stdin bytes the host holds before `writeInput` waits for the program to read. */
  readonly inputBufferBytes: number;
  /** Between the timeout's SIGTERM and its SIGKILL. */
  readonly killGraceMs: number;
  /** Called once, when the exit status is known. */
  readonly onExit: () => void;
}

const encoder = new TextEncoder();

/** A running (or exited) fake process. */
export class MemoryProcess {
  readonly processId: string;
  private readonly stdoutWindow: OutputWindow;
  private readonly stderrWindow: OutputWindow;
  private readonly input = new InputCursor();
  private readonly startedAt = Date.now();
  private exitedAt: number | undefined;
  private exit: ExitStatus | undefined;
  private size: TerminalSize | undefined;
  private timedOut = false;
  private readonly timers: Array<ReturnType<typeof setTimeout>> = [];
  private readonly killed = new AbortController();
  private signalHandler: ((signal: SignalName) => void) | undefined;
  private readonly resizeHandlers: Array<(size: TerminalSize) => void> = [];
  /** Woken on any change the waiting parties care about (room in a window, stdin, exit). */
  private waiters: Array<() => void> = [];
  private readonly stdinQueue: Uint8Array[] = [];
  private stdinQueuedBytes = 0;
  private stdinEnded = false;

  constructor(private readonly init: MemoryProcessInit) {
    const { request } = init;
    this.processId = request.processId;
    this.size = request.pty === undefined ? undefined : { cols: request.pty.cols, rows: request.pty.rows };
    const windowOptions = (name: string, mode: 'pipe' | 'devnull') => ({
      windowBytes: init.outputWindowBytes,
      replayBytes: init.replayBytes,
      mode,
      name,
      resume: () => this.wake(),
    });
    this.stdoutWindow = new OutputWindow(windowOptions('stdout', request.stdout));
    this.stderrWindow = new OutputWindow(windowOptions('stderr', request.stderr));
    // A terminal merges stderr into stdout: fd 2 is empty from the start.
    if (request.pty !== undefined) this.stderrWindow.end();
  }

  /** Runs the program (after the host has registered the process). */
  start(): void {
    const { request } = this.init;
    if (request.timeoutMs !== undefined) {
      this.timers.push(
        setTimeout(() => {
          this.timedOut = true;
          this.deliver('SIGTERM');
          this.timers.push(setTimeout(() => this.deliver('SIGKILL'), this.init.killGraceMs));
        }, request.timeoutMs),
      );
    }
    void this.run();
  }

  get running(): boolean {
    return this.exit === undefined;
  }

  info(): ProcessInfo {
    const { request } = this.init;
    return {
      processId: this.processId,
      argv: request.argv,
      cwd: this.init.cwd,
      ...(request.pty === undefined ? {} : { pty: { ...request.pty, ...this.size } }),
      state: this.exit === undefined ? 'running' : 'exited',
      ...(this.exit === undefined ? {} : { exit: this.exit }),
      startedAt: this.startedAt,
      ...(this.exitedAt === undefined ? {} : { exitedAt: this.exitedAt }),
      stdout: this.stdoutWindow.info(),
      stderr: this.stderrWindow.info(),
      stdin: this.input.info(),
      outputWindowBytes: this.init.outputWindowBytes,
    };
  }

  window(fd: OutputFd): OutputWindow {
    return fd === 1 ? this.stdoutWindow : this.stderrWindow;
  }

  /** Accepts stdin bytes (each once), then waits while the program has too much unread input. */
  async writeInput(request: WriteInputRequest, signal: AbortSignal): Promise<WriteInputResult> {
    const fresh = this.input.accept(request);
    if (this.exit === undefined) {
      if (fresh.data.byteLength > 0) {
        this.stdinQueue.push(fresh.data.slice());
        this.stdinQueuedBytes += fresh.data.byteLength;
      }
      if (fresh.eof) this.stdinEnded = true;
      this.wake();
      while (this.exit === undefined && this.stdinQueuedBytes > this.init.inputBufferBytes) {
        await this.change(signal);
      }
    }
    // Bytes for a process that has exited are accepted and discarded, as the contract says.
    return { offset: this.input.offset, eof: this.input.eof };
  }

  /** Resolves with the exit status once the process has exited. */
  async wait(signal: AbortSignal): Promise<ExitStatus> {
    while (this.exit === undefined) await this.change(signal);
    return this.exit;
  }

  poll(): ExitStatus | null {
    return this.exit ?? null;
  }

  /** Delivers a signal: a handler catches it, else the default disposition applies. */
  signal(signal: SignalName): void {
    validateSignalName(signal);
    if (signalNumbers[signal] === undefined) {
      throw new ProcwireError(ErrorCode.InvalidArgument, `unknown signal ${JSON.stringify(signal)}`);
    }
    if (stopSignals.has(signal)) {
      throw new ProcwireError(ErrorCode.InvalidArgument, `the memory host cannot stop processes (${signal})`);
    }
    this.deliver(signal);
  }

  resize(size: TerminalSize): void {
    validateTerminalSize(size);
    if (this.init.request.pty === undefined) {
      throw new ProcwireError(
        ErrorCode.FailedPrecondition,
        `process ${this.processId} has no terminal to resize: it was started without pty`,
        { processId: this.processId },
      );
    }
    if (this.exit !== undefined) return;
    this.size = { cols: size.cols, rows: size.rows };
    for (const handler of this.resizeHandlers) handler(this.size);
  }

  /** Ends the process now (host shutdown). */
  kill(): void {
    this.deliver('SIGKILL');
  }

  private deliver(signal: SignalName): void {
    if (this.exit !== undefined) return;
    if (signal !== 'SIGKILL' && this.signalHandler !== undefined) {
      try {
        this.signalHandler(signal);
      } catch (error) {
        this.crash(error);
      }
      return;
    }
    if (ignoredByDefault.has(signal)) return;
    this.killed.abort(new ProcwireError(ErrorCode.Aborted, `killed by ${signal}`));
    this.finish({ code: 128 + signalNumbers[signal]!, signal });
  }

  private async run(): Promise<void> {
    try {
      const result = await this.init.program(this.context());
      const status = typeof result === 'number' ? { code: result } : result;
      if (!Number.isInteger(status.code) || status.code < 0 || status.code > 255) {
        throw new Error(`program returned exit code ${status.code}, not an integer in 0..255`);
      }
      this.finish(status);
    } catch (error) {
      this.crash(error);
    }
  }

  /** A program that throws ends with code 1 and its message on stderr. */
  private crash(error: unknown): void {
    if (this.exit !== undefined) return;
    const message = error instanceof Error ? error.message : String(error);
    const target = this.init.request.pty === undefined ? this.stderrWindow : this.stdoutWindow;
    target.push(encoder.encode(`${this.init.request.argv[0]}: ${message}\n`));
    this.finish({ code: 1 });
  }

  private finish(status: ExitStatus): void {
    if (this.exit !== undefined) return;
    for (const timer of this.timers) clearTimeout(timer);
    // The process's streams close when it ends; the exit is reported after both reached EOF.
    this.stdoutWindow.end();
    this.stderrWindow.end();
    this.stdinEnded = true;
    this.exit = this.timedOut ? { ...status, timedOut: true } : status;
    this.exitedAt = Date.now();
    this.wake();
    this.init.onExit();
  }

  private context(): MemoryProgramContext {
    const { request } = this.init;
    const stdout = this.output(this.stdoutWindow);
    const process = this;
    return {
      argv: request.argv,
      env: this.init.env,
      cwd: this.init.cwd,
      pty: request.pty as PtySettings | undefined,
      get size() {
        return process.size;
      },
      stdout,
      stderr: request.pty === undefined ? this.output(this.stderrWindow) : stdout,
      stdin: { [Symbol.asyncIterator]: () => this.readStdin() },
      killed: this.killed.signal,
      onSignal: (handler) => {
        this.signalHandler = handler;
      },
      onResize: (handler) => {
        this.resizeHandlers.push(handler);
      },
    };
  }

  private output(window: OutputWindow): MemoryProgramOutput {
    return {
      write: async (data) => {
        if (window.eof) return;
        // Copy: the program may reuse its buffer, and the window keeps the chunk.
        window.push(typeof data === 'string' ? encoder.encode(data) : data.slice());
        // A full window blocks the writer, as a full pipe blocks a real process.
        while (window.isPaused && !window.eof) await this.change();
      },
      close: () => window.end(),
    };
  }

  private async *readStdin(): AsyncGenerator<Uint8Array, void, undefined> {
    for (;;) {
      const chunk = this.stdinQueue.shift();
      if (chunk !== undefined) {
        this.stdinQueuedBytes -= chunk.byteLength;
        this.wake();
        yield chunk;
        continue;
      }
      if (this.stdinEnded) return;
      await this.change();
    }
  }

  private wake(): void {
    for (const resolve of this.waiters.splice(0)) resolve();
  }

  /** Resolves at the next change; rejects when `signal` fires (an interrupted call). */
  private change(signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal === undefined) {
        this.waiters.push(resolve);
        return;
      }
      if (signal.aborted) {
        reject(ProcwireError.from(signal.reason, ErrorCode.Aborted));
        return;
      }
      const onAbort = () => {
        this.waiters = this.waiters.filter((waiter) => waiter !== onChange);
        reject(ProcwireError.from(signal.reason, ErrorCode.Aborted));
      };
      const onChange = () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      this.waiters.push(onChange);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}
