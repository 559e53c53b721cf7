/**
 * ProcessRegistry: the host's table of processes, scoped by principal, with the retention of
 * exited processes and the concurrency limit. Host transports keep their process records here so
 * ownership, `not_found` and retention behave the same in every host.
 */
import { ErrorCode, ProcwireError } from '../errors.js';

/** Options of a {@link ProcessRegistry}. */
export interface ProcessRegistryOptions {
  /** How long an exited process stays queryable, in milliseconds. */
  readonly retentionMs: number;
  /** The most processes running at once (all principals); past it `start` is `resource_exhausted`. */
  readonly maxRunning: number;
  /** The most processes running at once for one principal. Default: `maxRunning`. */
  readonly maxRunningPerPrincipal?: number;
}

interface Entry<P> {
  readonly principal: string | undefined;
  readonly process: P;
  running: boolean;
  expiry?: ReturnType<typeof setTimeout>;
}

// Principals and ids never contain NUL, so it separates them safely.
const keyOf = (principal: string | undefined, processId: string) =>
  `${principal === undefined ? '\u0001' : `\u0002${principal}`}\u0000${processId}`;

/**
 * A host's processes, keyed by principal and process id: lookups that answer `not_found` across
 * principals, the running-process limits, and the retention of exited processes.
 */
export class ProcessRegistry<P> {
  private readonly entries = new Map<string, Entry<P>>();
  private runningCount = 0;
  private readonly runningByPrincipal = new Map<string | undefined, number>();

  constructor(private readonly options: ProcessRegistryOptions) {}

  /** The process with this id owned by `principal`; `undefined` when there is none. */
  find(principal: string | undefined, processId: string): P | undefined {
    return this.entries.get(keyOf(principal, processId))?.process;
  }

  /** Like `find`, but throws `not_found` (another principal's process is "not found" too). */
  get(principal: string | undefined, processId: string): P {
    const process = this.find(principal, processId);
    if (process === undefined) {
      throw new ProcwireError(ErrorCode.NotFound, `no process with id ${JSON.stringify(processId)}`, { processId });
    }
    return process;
  }

  /** Throws `resource_exhausted` when `principal` may not start another process now. */
  checkCapacity(principal: string | undefined): void {
    if (this.runningCount >= this.options.maxRunning) {
      throw new ProcwireError(
        ErrorCode.ResourceExhausted,
        `too many running processes: the limit is ${this.options.maxRunning}`,
      );
    }
    const perPrincipal = this.options.maxRunningPerPrincipal ?? this.options.maxRunning;
    if ((this.runningByPrincipal.get(principal) ?? 0) >= perPrincipal) {
      throw new ProcwireError(
        ErrorCode.ResourceExhausted,
        `too many running processes for this principal: the limit is ${perPrincipal}`,
      );
    }
  }

  /** Record a started process (after `checkCapacity`). */
  add(principal: string | undefined, processId: string, process: P): void {
    const key = keyOf(principal, processId);
    if (this.entries.has(key)) throw new ProcwireError(ErrorCode.Internal, `process ${processId} is already registered`);
    this.entries.set(key, { principal, process, running: true });
    this.runningCount++;
    this.runningByPrincipal.set(principal, (this.runningByPrincipal.get(principal) ?? 0) + 1);
  }

  /** Mark a process exited: it no longer counts against limits and is forgotten after retention. */
  markExited(principal: string | undefined, processId: string, onForget?: () => void): void {
    const key = keyOf(principal, processId);
    const entry = this.entries.get(key);
    if (entry === undefined || !entry.running) return;
    entry.running = false;
    this.runningCount--;
    const count = (this.runningByPrincipal.get(principal) ?? 1) - 1;
    if (count === 0) this.runningByPrincipal.delete(principal);
    else this.runningByPrincipal.set(principal, count);
    entry.expiry = setTimeout(() => {
      this.entries.delete(key);
      onForget?.();
    }, this.options.retentionMs);
    // Retention must never keep the host's event loop alive.
    (entry.expiry as { unref?: () => void }).unref?.();
  }

  /** The processes of `principal`, in start order. */
  list(principal: string | undefined): P[] {
    const result: P[] = [];
    for (const entry of this.entries.values()) if (entry.principal === principal) result.push(entry.process);
    return result;
  }

  /** Every process of every principal (for shutdown). */
  all(): P[] {
    return [...this.entries.values()].map((entry) => entry.process);
  }

  /** Number of running processes, all principals. */
  get running(): number {
    return this.runningCount;
  }

  /** Forget everything and cancel retention timers. */
  clear(): void {
    for (const entry of this.entries.values()) if (entry.expiry !== undefined) clearTimeout(entry.expiry);
    this.entries.clear();
    this.runningCount = 0;
    this.runningByPrincipal.clear();
  }
}
