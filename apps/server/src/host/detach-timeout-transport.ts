/**
 * Hangs up abandoned terminals. A process in a pty (a web terminal's shell, an `attach`ed session)
 * that has had no reader of its output for `detachTimeoutMs` gets SIGHUP, as a shell does when its
 * terminal goes away; a reader that comes back in time (a reloaded page, a reconnecting client)
 * keeps it. Pipe-mode processes are left alone: a batch job may run unattended.
 */
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
} from '@procwire/core/transport';

/** Options of {@link DetachTimeoutTransport}. */
export interface DetachTimeoutOptions {
  /** How long a pty process may go without a reader of its output; 0 never hangs up. */
  readonly detachTimeoutMs: number;
  /** Told when a process is hung up (for the log). */
  readonly onHangUp?: (processId: string, principal: string | undefined) => void;
}

interface Terminal {
  readonly processId: string;
  readonly principal: string | undefined;
  readers: number;
  timer: NodeJS.Timeout | undefined;
}

/** A `Transport` that sends SIGHUP to pty processes left without a reader; see the module comment. */
export class DetachTimeoutTransport implements Transport {
  readonly #inner: Transport;
  readonly #options: DetachTimeoutOptions;
  /** Key (principal, processId) -> a running pty process. */
  readonly #terminals = new Map<string, Terminal>();

  constructor(inner: Transport, options: DetachTimeoutOptions) {
    this.#inner = inner;
    this.#options = options;
  }

  async start(request: StartRequest, options?: CallOptions): Promise<ProcessInfo> {
    const info = await this.#inner.start(request, options);
    const key = keyOf(options?.principal, info.processId);
    if (this.#options.detachTimeoutMs > 0 && info.pty !== undefined && info.state === 'running' && !this.#terminals.has(key)) {
      const terminal: Terminal = { processId: info.processId, principal: options?.principal, readers: 0, timer: undefined };
      this.#terminals.set(key, terminal);
      // Started, and nobody reads it yet: the clock runs from now.
      this.#arm(terminal);
      this.#inner.wait({ processId: info.processId }, { principal: options?.principal }).then(
        () => this.#forget(key),
        () => this.#forget(key),
      );
    }
    return info;
  }

  async *readOutput(request: ReadOutputRequest, options?: CallOptions): AsyncIterable<OutputChunk> {
    const terminal = this.#terminals.get(keyOf(options?.principal, request?.processId));
    if (terminal !== undefined) {
      terminal.readers++;
      clearTimeout(terminal.timer);
      terminal.timer = undefined;
    }
    try {
      yield* this.#inner.readOutput(request, options);
    } finally {
      if (terminal !== undefined && --terminal.readers === 0) this.#arm(terminal);
    }
  }

  ackOutput(request: AckOutputRequest, options?: CallOptions): Promise<void> {
    return this.#inner.ackOutput(request, options);
  }

  writeInput(request: WriteInputRequest, options?: CallOptions): Promise<WriteInputResult> {
    return this.#inner.writeInput(request, options);
  }

  wait(request: ProcessRequest, options?: CallOptions): Promise<ExitStatus> {
    return this.#inner.wait(request, options);
  }

  poll(request: ProcessRequest, options?: CallOptions): Promise<ExitStatus | null> {
    return this.#inner.poll(request, options);
  }

  signal(request: SignalRequest, options?: CallOptions): Promise<void> {
    return this.#inner.signal(request, options);
  }

  resize(request: ResizeRequest, options?: CallOptions): Promise<void> {
    return this.#inner.resize(request, options);
  }

  get(request: ProcessRequest, options?: CallOptions): Promise<ProcessInfo> {
    return this.#inner.get(request, options);
  }

  list(options?: CallOptions): Promise<ProcessInfo[]> {
    return this.#inner.list(options);
  }

  async close(): Promise<void> {
    for (const terminal of this.#terminals.values()) clearTimeout(terminal.timer);
    this.#terminals.clear();
    await this.#inner.close();
  }

  #arm(terminal: Terminal): void {
    if (!this.#terminals.has(keyOf(terminal.principal, terminal.processId))) return;
    clearTimeout(terminal.timer);
    terminal.timer = setTimeout(() => this.#hangUp(terminal), this.#options.detachTimeoutMs);
    // A pending hang-up is no reason to keep the server alive.
    terminal.timer.unref();
  }

  #hangUp(terminal: Terminal): void {
    terminal.timer = undefined;
    if (terminal.readers > 0) return;
    this.#options.onHangUp?.(terminal.processId, terminal.principal);
    const options = terminal.principal === undefined ? {} : { principal: terminal.principal };
    // The process may have ended meanwhile: then there is nothing to hang up.
    this.#inner.signal({ processId: terminal.processId, signal: 'SIGHUP' }, options).catch(() => {});
  }

  #forget(key: string): void {
    const terminal = this.#terminals.get(key);
    if (terminal === undefined) return;
    clearTimeout(terminal.timer);
    this.#terminals.delete(key);
  }
}

function keyOf(principal: string | undefined, processId: unknown): string {
  return JSON.stringify([principal ?? null, String(processId)]);
}
