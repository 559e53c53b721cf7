/**
 * `memoryTransport()`: a host that runs scripted fake processes in memory. It keeps its processes
 * in the same building blocks a real host uses (ProcessRegistry, OutputWindow, InputCursor,
 * validateStartRequest), so offsets, windows, ownership, retention and limits behave as they do
 * on `localTransport()`; and it can cut every in-flight call (`interrupt()`) to test resume.
 */
import { ErrorCode, ProcwireError } from '../errors.js';
import type {
  AckOutputRequest,
  CallOptions,
  ExitStatus,
  OutputChunk,
  ProcessInfo,
  ProcessRequest,
  ReadOutputRequest,
  ResizeRequest,
  SignalRequest,
  StartRequest,
  Transport,
  WriteInputRequest,
  WriteInputResult,
} from '../transport/contract.js';
import { ProcessRegistry } from '../transport/process-registry.js';
import { validateFd, validateOffset, validateProcessId, validateStartRequest } from '../transport/validate.js';
import { MemoryProcess } from './memory-process.js';
import type { MemoryProgram } from './program.js';

/** Options of {@link memoryTransport}. Every limit mirrors one of a real host. */
export interface MemoryTransportOptions {
  /** The fake executables, by command name (`argv[0]`). An unknown command is `not_found`. */
  readonly programs: Readonly<Record<string, MemoryProgram>>;
  /** Unacknowledged output kept per stream before a program's `write()` blocks; default 8 MiB. */
  readonly outputWindowBytes?: number;
  /** Acknowledged output kept per stream for `get(id, { replay: true })`; default 0 (none). */
  readonly replayBytes?: number;
  /** How long an exited process stays queryable; default 5 minutes. */
  readonly retentionMs?: number;
  /** The most processes running at once; default 1024. */
  readonly maxProcesses?: number;
  /** The most argv bytes (UTF-8, one NUL per item); default 256 KiB. */
  readonly maxArgvBytes?: number;
  /** The environment every process starts with (merged with `exec`'s `env`); default empty. */
  readonly baseEnv?: Readonly<Record<string, string>>;
  /** The working directory when `exec` gives none; default `'/'`. */
  readonly defaultCwd?: string;
  /** Between a timeout's SIGTERM and its SIGKILL; default 2000 ms. */
  readonly killGraceMs?: number;
  /** Unread stdin bytes held before `writeInput` waits for the program; default 1 MiB. */
  readonly inputBufferBytes?: number;
}

/** A {@link Transport} over fake processes, plus a way to simulate a cut connection. */
export interface MemoryTransport extends Transport {
  /**
   * Simulate a cut connection: every in-flight `readOutput` / `writeInput` / `wait` call rejects
   * with `unavailable` right now (writes that reached the host stay applied, as on a real network
   * where only the answer is lost). New calls work as before.
   */
  interrupt(): void;
}

/**
 * A host of scripted fake processes, for tests of procwire itself and of code that uses it.
 *
 * ```ts
 * const transport = memoryTransport({
 *   programs: { echo: async ({ argv, stdout }) => { await stdout.write(argv.slice(1).join(' ') + '\n'); return 0; } },
 * });
 * ```
 */
export function memoryTransport(options: MemoryTransportOptions): MemoryTransport {
  return new MemoryHost(options);
}

class MemoryHost implements MemoryTransport {
  private readonly registry: ProcessRegistry<MemoryProcess>;
  private interruption = new AbortController();
  private closed = false;

  constructor(private readonly options: MemoryTransportOptions) {
    if (typeof options?.programs !== 'object' || options.programs === null) {
      throw new ProcwireError(ErrorCode.InvalidArgument, 'memoryTransport needs a `programs` object (command name -> program)');
    }
    const { replayBytes } = options;
    if (replayBytes !== undefined && (!Number.isSafeInteger(replayBytes) || replayBytes < 0)) {
      throw new ProcwireError(ErrorCode.InvalidArgument, `memoryTransport option replayBytes must be a non-negative integer, got ${replayBytes}`);
    }
    this.registry = new ProcessRegistry({
      retentionMs: options.retentionMs ?? 5 * 60_000,
      maxRunning: options.maxProcesses ?? 1024,
    });
  }

  interrupt(): void {
    const cut = this.interruption;
    this.interruption = new AbortController();
    cut.abort(new ProcwireError(ErrorCode.Unavailable, 'the connection to the memory host was interrupted'));
  }

  async start(request: StartRequest, options?: CallOptions): Promise<ProcessInfo> {
    this.checkOpen(options);
    validateStartRequest(request, this.options.maxArgvBytes === undefined ? {} : { maxArgvBytes: this.options.maxArgvBytes });
    const principal = options?.principal;
    const existing = this.registry.find(principal, request.processId);
    if (existing !== undefined) return existing.info();
    const command = request.argv[0]!;
    const program = Object.hasOwn(this.options.programs, command) ? this.options.programs[command] : undefined;
    if (program === undefined) {
      throw new ProcwireError(ErrorCode.NotFound, `command not found: ${JSON.stringify(command)}`, {
        argv: request.argv,
      });
    }
    this.registry.checkCapacity(principal);
    const env: Record<string, string> = { ...this.options.baseEnv };
    if (request.pty !== undefined) env['TERM'] = request.pty.term;
    for (const [key, value] of Object.entries(request.env ?? {})) {
      if (value === undefined) delete env[key];
      else env[key] = value;
    }
    const process = new MemoryProcess({
      request: { ...request, argv: [...request.argv] },
      program,
      env,
      cwd: request.cwd ?? this.options.defaultCwd ?? '/',
      outputWindowBytes: this.options.outputWindowBytes ?? 8 * 1024 * 1024,
      replayBytes: this.options.replayBytes ?? 0,
      inputBufferBytes: this.options.inputBufferBytes ?? 1024 * 1024,
      killGraceMs: this.options.killGraceMs ?? 2000,
      onExit: () => this.registry.markExited(principal, request.processId),
    });
    this.registry.add(principal, request.processId, process);
    process.start();
    return process.info();
  }

  async *readOutput(request: ReadOutputRequest, options?: CallOptions): AsyncGenerator<OutputChunk, void, undefined> {
    this.checkOpen(options);
    validateFd(request.fd);
    validateOffset(request.offset);
    const window = this.find(request, options).window(request.fd);
    try {
      yield* window.read(request.offset, this.callSignal(options));
    } catch (error) {
      throw ProcwireError.from(error);
    }
  }

  async ackOutput(request: AckOutputRequest, options?: CallOptions): Promise<void> {
    this.checkOpen(options);
    validateFd(request.fd);
    validateOffset(request.offset);
    this.find(request, options).window(request.fd).acknowledge(request.offset);
  }

  async writeInput(request: WriteInputRequest, options?: CallOptions): Promise<WriteInputResult> {
    this.checkOpen(options);
    validateOffset(request.offset);
    if (!(request.data instanceof Uint8Array)) {
      throw new ProcwireError(ErrorCode.InvalidArgument, 'stdin data must be a Uint8Array');
    }
    return this.find(request, options).writeInput(request, this.callSignal(options));
  }

  async wait(request: ProcessRequest, options?: CallOptions): Promise<ExitStatus> {
    this.checkOpen(options);
    return this.find(request, options).wait(this.callSignal(options));
  }

  async poll(request: ProcessRequest, options?: CallOptions): Promise<ExitStatus | null> {
    this.checkOpen(options);
    return this.find(request, options).poll();
  }

  async signal(request: SignalRequest, options?: CallOptions): Promise<void> {
    this.checkOpen(options);
    this.find(request, options).signal(request.signal);
  }

  async resize(request: ResizeRequest, options?: CallOptions): Promise<void> {
    this.checkOpen(options);
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
    for (const process of this.registry.all()) process.kill();
    this.registry.clear();
    this.interruption.abort(new ProcwireError(ErrorCode.Closed, 'the memory host was closed'));
  }

  private checkOpen(options: CallOptions | undefined): void {
    if (this.closed) throw new ProcwireError(ErrorCode.Closed, 'the memory host was closed');
    if (options?.signal?.aborted) throw ProcwireError.from(options.signal.reason, ErrorCode.Aborted);
  }

  private find(request: { readonly processId: string }, options: CallOptions | undefined): MemoryProcess {
    validateProcessId(request?.processId);
    return this.registry.get(options?.principal, request.processId);
  }

  /** Ends a call when the caller aborts it or the connection is "cut". */
  private callSignal(options: CallOptions | undefined): AbortSignal {
    const cut = this.interruption.signal;
    const own = options?.signal;
    if (own === undefined) return cut;
    return anySignal([cut, own]);
  }
}

/** `AbortSignal.any`, with a fallback for runtimes that lack it. */
function anySignal(signals: readonly AbortSignal[]): AbortSignal {
  const native = (AbortSignal as { any?: (signals: AbortSignal[]) => AbortSignal }).any;
  if (typeof native === 'function') return native.call(AbortSignal, [...signals]);
  const controller = new AbortController();
  for (const signal of signals) {
    if (signal.aborted) {
      controller.abort(signal.reason);
      break;
    }
    signal.addEventListener('abort', () => controller.abort(signal.reason), { once: true });
  }
  return controller.signal;
}
