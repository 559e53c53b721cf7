/**
 * The app's wrapper around the backend transport. Fronts (gRPC, WebSocket) serve this wrapper, so
 * every call from every client passes here once: it enforces the per-principal limits a backend
 * does not know about, counts the metrics, logs starts and exits, and remembers every running
 * process so that shutdown can signal them all.
 */
import { randomUUID } from 'node:crypto';
import {
  type AckOutputRequest,
  type CallOptions,
  ErrorCode,
  type ExitStatus,
  type OutputChunk,
  type ProcessInfo,
  type ProcessRequest,
  ProcwireError,
  type ReadOutputRequest,
  type ResizeRequest,
  type SignalRequest,
  type StartRequest,
  type Transport,
  validateStartRequest,
  type WriteInputRequest,
  type WriteInputResult,
} from '@procwire/core/transport';
import type { Logger } from '../observability/logger.js';
import type { ServerMetrics } from '../observability/metrics.js';

/** Limits enforced here. */
export interface SupervisorLimits {
  /** Running processes across every principal. */
  readonly processes: number;
  /** Running processes one principal may have at once. */
  readonly processesPerPrincipal: number;
  /**
   * Room of `processes` kept for each of `knownPrincipals`: a principal may start only while the
   * others' unused reservations still fit (see `#refusal`).
   */
  readonly reservedProcessesPerPrincipal: number;
  /** The principals reservations are kept for (those of the tokens file). */
  readonly knownPrincipals: readonly string[];
  /** The most argv bytes (UTF-8, one NUL per item). */
  readonly argvBytes: number;
  /** The most env bytes (UTF-8 `NAME=value`, one NUL per entry). */
  readonly envBytes: number;
  /** The most env entries. */
  readonly envEntries: number;
  /** Stdin bytes per process in writes the host has not answered yet; more answers `resource_exhausted`. */
  readonly pendingInputBytes: number;
}

/**
 * Writes to one process the host has not answered yet. A client awaits each write (one in
 * flight, a few with several clients on one process); unawaited ones would pile up buffers and a
 * `drain` listener each on the process's stdin (past 10: MaxListenersExceededWarning).
 */
const MAX_WRITES_IN_FLIGHT = 8;

/** How often a process whose leader exited is checked for a group that is still alive. */
const GROUP_POLL_MS = 1000;
/** The same during shutdown, so the server exits soon after the last member. */
const GROUP_POLL_SHUTDOWN_MS = 100;

/** What `terminateAll` did, for the shutdown log line. */
export interface TerminationReport {
  /** Processes that were running when shutdown began. */
  readonly signalled: number;
  /** Of those, the ones still running after the grace period, and so killed with SIGKILL. */
  readonly killed: number;
}

interface RunningProcess {
  readonly principal: string | undefined;
  readonly processId: string;
  readonly pid: number | undefined;
  /** Input bytes the host has accepted, to count each byte once. */
  inputOffset: number;
  /** Bytes of this process's writes the host has not answered yet. */
  pendingInputBytes: number;
  /** Those writes. */
  writesInFlight: number;
  /** Settles when the process has exited (or the backend went away). */
  readonly exited: Promise<void>;
  /** The leader's exit, kept while the rest of its group runs on. */
  leaderStatus: ExitStatus | undefined;
  /** Accounts for the exit once (metrics, log, the running table); `undefined`: lost. */
  readonly markExited: (status: ExitStatus | undefined) => void;
}

/** A `Transport` that enforces limits, counts, logs and tracks processes; see the module comment. */
export class SupervisedTransport implements Transport {
  readonly #inner: Transport;
  readonly #limits: SupervisorLimits;
  readonly #metrics: ServerMetrics;
  readonly #logger: Logger;
  /** Key (principal, processId) -> running process. */
  readonly #running = new Map<string, RunningProcess>();
  /** Starts in flight per principal, so concurrent starts cannot overshoot the limit. */
  readonly #pendingStarts = new Map<string, number>();
  /** Processes whose leader exited while other members of its group live on: checked until gone. */
  readonly #lingering = new Map<string, RunningProcess>();
  #groupTimer: NodeJS.Timeout | undefined;
  #groupPollMs = GROUP_POLL_MS;
  #closing = false;

  constructor(inner: Transport, limits: SupervisorLimits, metrics: ServerMetrics, logger: Logger) {
    this.#inner = inner;
    this.#limits = limits;
    this.#metrics = metrics;
    this.#logger = logger;
  }

  /** Running processes, across every principal. */
  get runningCount(): number {
    return this.#running.size;
  }

  async start(request: StartRequest, options?: CallOptions): Promise<ProcessInfo> {
    const principal = options?.principal;
    const log = this.#logger.child({ requestId: randomUUID(), principal, processId: request?.processId });
    return this.#counted(async () => {
      if (this.#closing) throw new ProcwireError(ErrorCode.Unavailable, 'the server is shutting down');
      validateStartRequest(request, {
        maxArgvBytes: this.#limits.argvBytes,
        maxEnvBytes: this.#limits.envBytes,
        maxEnvEntries: this.#limits.envEntries,
      });
      const key = keyOf(principal, request.processId);
      // A retried start of a process the host already has (running or exited) starts nothing:
      // pass it through without counting it against the limit or in the metrics again.
      if (this.#running.has(key) || (await this.#exists(request.processId, options))) {
        return this.#inner.start(request, options);
      }
      const principalKey = principal ?? '';
      const pending = this.#pendingStarts.get(principalKey) ?? 0;
      const refusal = this.#refusal(principal);
      if (refusal !== undefined) {
        log.warn({ limit: refusal.limit }, `start refused: ${refusal.message}`);
        throw new ProcwireError(ErrorCode.ResourceExhausted, refusal.message);
      }
      this.#pendingStarts.set(principalKey, pending + 1);
      try {
        const info = await this.#inner.start(request, options);
        if (!this.#running.has(key)) this.#track(key, principal, info, log);
        return info;
      } catch (error) {
        log.info({ code: ProcwireError.from(error).code, command: request.argv[0] }, 'start failed');
        throw error;
      } finally {
        const left = (this.#pendingStarts.get(principalKey) ?? 1) - 1;
        if (left === 0) this.#pendingStarts.delete(principalKey);
        else this.#pendingStarts.set(principalKey, left);
      }
    });
  }

  async *readOutput(request: ReadOutputRequest, options?: CallOptions): AsyncIterable<OutputChunk> {
    const labels = { fd: String(request?.fd) };
    try {
      for await (const chunk of this.#inner.readOutput(request, options)) {
        this.#metrics.outputBytes.inc(chunk.data.byteLength, labels);
        yield chunk;
      }
    } catch (error) {
      this.#countError(error);
      throw error;
    }
  }

  ackOutput(request: AckOutputRequest, options?: CallOptions): Promise<void> {
    return this.#counted(() => this.#inner.ackOutput(request, options));
  }

  writeInput(request: WriteInputRequest, options?: CallOptions): Promise<WriteInputResult> {
    return this.#counted(async () => {
      const entry = this.#running.get(keyOf(options?.principal, request.processId));
      const size = request?.data instanceof Uint8Array ? request.data.byteLength : 0;
      if (entry !== undefined) {
        // Writes nobody reads pile up in the front and the host: refuse them instead of keeping them.
        if (entry.pendingInputBytes > 0 && entry.pendingInputBytes + size > this.#limits.pendingInputBytes) {
          throw new ProcwireError(
            ErrorCode.ResourceExhausted,
            `${entry.pendingInputBytes} bytes of stdin wait for this process to read them, the limit (--max-pending-input-bytes) is ${this.#limits.pendingInputBytes}`,
          );
        }
        if (entry.writesInFlight >= MAX_WRITES_IN_FLIGHT) {
          throw new ProcwireError(
            ErrorCode.ResourceExhausted,
            `${entry.writesInFlight} writes to this process are not answered yet, the most allowed; await each write`,
          );
        }
        entry.pendingInputBytes += size;
        entry.writesInFlight++;
      }
      let result: WriteInputResult;
      try {
        result = await this.#inner.writeInput(request, options);
      } finally {
        if (entry !== undefined) {
          entry.pendingInputBytes -= size;
          entry.writesInFlight--;
        }
      }
      const before = Math.max(entry?.inputOffset ?? 0, request.offset);
      if (result.offset > before) this.#metrics.inputBytes.inc(result.offset - before);
      if (entry !== undefined) entry.inputOffset = Math.max(entry.inputOffset, result.offset);
      return result;
    });
  }

  wait(request: ProcessRequest, options?: CallOptions): Promise<ExitStatus> {
    return this.#counted(async () => {
      const status = await this.#inner.wait(request, options);
      // Account for the exit before the caller hears of it, so a start right after sees the room.
      await this.#leaderExited(keyOf(options?.principal, request.processId), status);
      return status;
    });
  }

  poll(request: ProcessRequest, options?: CallOptions): Promise<ExitStatus | null> {
    return this.#counted(async () => {
      const status = await this.#inner.poll(request, options);
      if (status !== null) await this.#leaderExited(keyOf(options?.principal, request.processId), status);
      return status;
    });
  }

  signal(request: SignalRequest, options?: CallOptions): Promise<void> {
    return this.#counted(async () => {
      await this.#inner.signal(request, options);
      this.#logger.info(
        { principal: options?.principal, processId: request.processId, signal: request.signal },
        'signal sent',
      );
    });
  }

  resize(request: ResizeRequest, options?: CallOptions): Promise<void> {
    return this.#counted(() => this.#inner.resize(request, options));
  }

  get(request: ProcessRequest, options?: CallOptions): Promise<ProcessInfo> {
    return this.#counted(() => this.#inner.get(request, options));
  }

  list(options?: CallOptions): Promise<ProcessInfo[]> {
    return this.#counted(() => this.#inner.list(options));
  }

  /**
   * Shutdown: refuse new starts, SIGTERM every running process group, give them `graceMs` to exit,
   * then SIGKILL the rest and wait (bounded) until the backend reports them gone.
   */
  async terminateAll(graceMs: number): Promise<TerminationReport> {
    this.#closing = true;
    this.#groupPollMs = GROUP_POLL_SHUTDOWN_MS;
    this.#scheduleGroupCheck(true);
    const initial = [...this.#running.values()];
    await Promise.all(initial.map((entry) => this.#signalQuietly(entry, 'SIGTERM')));
    await settleWithin(Promise.all(initial.map((entry) => entry.exited)), graceMs);
    const survivors = [...this.#running.values()];
    await Promise.all(survivors.map((entry) => this.#signalQuietly(entry, 'SIGKILL')));
    await settleWithin(Promise.all(survivors.map((entry) => entry.exited)), 5000);
    return { signalled: initial.length, killed: survivors.length };
  }

  /** Closes the backend (which kills whatever it still runs). */
  async close(): Promise<void> {
    this.#closing = true;
    clearTimeout(this.#groupTimer);
    this.#groupTimer = undefined;
    await this.#inner.close();
  }

  /**
   * Why a start of `principal` may not go ahead now, or `undefined`. Starts in flight count as
   * running. A principal needs room under its own limit, and under the total once every other
   * known principal's unused reservation is set aside.
   */
  #refusal(principal: string | undefined): { readonly message: string; readonly limit: string } | undefined {
    const limits = this.#limits;
    const own = this.#countRunning(principal) + (this.#pendingStarts.get(principal ?? '') ?? 0);
    if (own >= limits.processesPerPrincipal) {
      return {
        limit: 'max-processes-per-principal',
        message: `this principal already runs ${own} processes, the limit (--max-processes-per-principal) is ${limits.processesPerPrincipal}`,
      };
    }
    let total = 0;
    for (const count of this.#pendingStarts.values()) total += count;
    total += this.#running.size;
    let reservedForOthers = 0;
    for (const other of limits.knownPrincipals) {
      if (other === principal) continue;
      const used = this.#countRunning(other) + (this.#pendingStarts.get(other) ?? 0);
      reservedForOthers += Math.max(0, limits.reservedProcessesPerPrincipal - used);
    }
    if (total + 1 + reservedForOthers > limits.processes) {
      const kept = reservedForOthers > 0 ? ` (${reservedForOthers} of them kept for other principals)` : '';
      return {
        limit: 'max-processes',
        message: `the server runs ${total} processes, the limit (--max-processes) is ${limits.processes}${kept}`,
      };
    }
    return undefined;
  }

  /**
   * The leader of a tracked process exited: it stops counting once its whole group is gone. While
   * other members live on (`groupRunning`), it stays tracked (limits, shutdown) and is checked again.
   */
  async #leaderExited(key: string, status: ExitStatus | undefined): Promise<void> {
    const entry = this.#running.get(key);
    if (entry === undefined || this.#lingering.has(key)) return;
    if (status !== undefined && (await this.#groupRunning(entry))) {
      if (this.#running.get(key) !== entry || this.#lingering.has(key)) return;
      this.#logger.info({ principal: entry.principal, processId: entry.processId, pid: entry.pid }, 'leader exited, its group runs on');
      entry.leaderStatus = status;
      this.#lingering.set(key, entry);
      this.#scheduleGroupCheck(false);
      return;
    }
    entry.markExited(status);
  }

  /** True while members of the process's group outlive its leader (false once gone or forgotten). */
  async #groupRunning(entry: RunningProcess): Promise<boolean> {
    try {
      const info: ProcessInfo & { readonly groupRunning?: boolean } = await this.#inner.get(
        { processId: entry.processId },
        { principal: entry.principal },
      );
      return info.groupRunning === true;
    } catch {
      return false;
    }
  }

  #scheduleGroupCheck(now: boolean): void {
    if (this.#lingering.size === 0) return;
    if (now) clearTimeout(this.#groupTimer);
    else if (this.#groupTimer !== undefined) return;
    this.#groupTimer = setTimeout(() => {
      this.#groupTimer = undefined;
      void this.#checkGroups();
    }, now ? 0 : this.#groupPollMs);
    this.#groupTimer.unref?.();
  }

  async #checkGroups(): Promise<void> {
    await Promise.all(
      [...this.#lingering].map(async ([key, entry]) => {
        if (await this.#groupRunning(entry)) return;
        this.#lingering.delete(key);
        entry.markExited(entry.leaderStatus);
      }),
    );
    if (this.#lingering.size > 0 && this.#groupTimer === undefined) {
      this.#groupTimer = setTimeout(() => {
        this.#groupTimer = undefined;
        void this.#checkGroups();
      }, this.#groupPollMs);
      this.#groupTimer.unref?.();
    }
  }

  #track(key: string, principal: string | undefined, info: ProcessInfo, log: Logger): void {
    this.#metrics.processesStarted.inc();
    this.#metrics.processesRunning.inc();
    log.info({ pid: info.pid, command: info.argv[0], pty: info.pty !== undefined }, 'process started');
    let markExited!: (status: ExitStatus | undefined) => void;
    const exited = new Promise<void>((resolve) => {
      markExited = (status) => {
        if (this.#running.get(key) !== entry) return;
        this.#running.delete(key);
        this.#lingering.delete(key);
        this.#metrics.processesRunning.dec();
        this.#metrics.processesExited.inc();
        if (status === undefined) log.warn({ pid: info.pid }, 'process lost');
        else log.info({ pid: info.pid, code: status.code, signal: status.signal }, 'process exited');
        resolve();
      };
    });
    const entry: RunningProcess = {
      principal,
      processId: info.processId,
      pid: info.pid,
      inputOffset: info.stdin.offset,
      pendingInputBytes: 0,
      writesInFlight: 0,
      leaderStatus: undefined,
      exited,
      markExited: (status) => markExited(status),
    };
    this.#running.set(key, entry);
    this.#inner.wait({ processId: info.processId }, { principal }).then(
      (status) => this.#leaderExited(key, status),
      () => entry.markExited(undefined),
    );
  }

  async #exists(processId: string, options: CallOptions | undefined): Promise<boolean> {
    try {
      await this.#inner.get({ processId }, options);
      return true;
    } catch (error) {
      if (ProcwireError.from(error).code === ErrorCode.NotFound) return false;
      throw error;
    }
  }

  #countRunning(principal: string | undefined): number {
    let count = 0;
    for (const entry of this.#running.values()) if (entry.principal === principal) count++;
    return count;
  }

  async #signalQuietly(entry: RunningProcess, signal: 'SIGTERM' | 'SIGKILL'): Promise<void> {
    try {
      await this.#inner.signal({ processId: entry.processId, signal }, { principal: entry.principal });
    } catch (error) {
      this.#logger.warn({ processId: entry.processId, signal, code: ProcwireError.from(error).code }, 'signal failed');
    }
  }

  async #counted<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      this.#countError(error);
      throw error;
    }
  }

  #countError(error: unknown): void {
    this.#metrics.errors.inc(1, { code: ProcwireError.from(error).code });
  }
}

function keyOf(principal: string | undefined, processId: string): string {
  return JSON.stringify([principal ?? null, processId]);
}

/** Waits for `promise` or `ms`, whichever comes first, leaving no timer behind. */
async function settleWithin(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  try {
    await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
