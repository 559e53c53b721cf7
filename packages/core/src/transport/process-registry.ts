/**
 * ProcessRegistry: the host's table of processes, scoped by principal, with the retention of
 * exited processes and the concurrency limit. Host transports keep their process records here so
 * ownership, `not_found` and retention behave the same in every host.
 */
import { ErrorCode, ProcwireError } from '../errors.js';
import type { ProcessInfo } from './contract.js';

/** Options of a {@link ProcessRegistry}. */
export interface ProcessRegistryOptions<P = unknown> {
  /** How long an exited process stays queryable, in milliseconds. */
  readonly retentionMs: number;
  /** The most processes running at once (all principals); past it `start` is `resource_exhausted`. */
  readonly maxRunning: number;
  /** The most processes running at once for one principal. Default: `maxRunning`. */
  readonly maxRunningPerPrincipal?: number;
  /**
   * The most exited processes retained for one principal: past it the oldest is forgotten before
   * its retention ends, one whose output was all read first. Their unread output is memory a
   * principal could otherwise pile up by running short processes. Default: `maxRunningPerPrincipal`.
   */
  readonly maxRetainedPerPrincipal?: number;
  /** True while a process still has output no reader has acknowledged (see {@link hasUnreadOutput}). */
  readonly hasUnreadOutput?: (process: P) => boolean;
  /**
   * Called for every process the registry drops: an exited one whose retention ended or that the
   * retained limit pushed out, and every one at `clear()`. For what the host must give back then
   * (room borrowed from an output pool).
   */
  readonly onForget?: (process: P) => void;
}

interface Entry<P> {
  readonly process: P;
  running: boolean;
  expiry?: ReturnType<typeof setTimeout>;
}

/** True while `info` has output a reader has not acknowledged yet. */
export function hasUnreadOutput(info: ProcessInfo): boolean {
  return info.stdout.acknowledged < info.stdout.written || info.stderr.acknowledged < info.stderr.written;
}


const NO_STARTS = { total: 0, ofPrincipal: 0 } as const;

/**
 * A host's processes, keyed by principal and process id: lookups that answer `not_found` across
 * principals, the running-process limits, and the retention of exited processes.
 */
export class ProcessRegistry<P> {
  /** Each principal's processes by id, in start order (two levels: no key string built per lookup). */
  private readonly byPrincipal = new Map<string | undefined, Map<string, Entry<P>>>();
  private runningCount = 0;
  private readonly runningByPrincipal = new Map<string | undefined, number>();
  /** Each principal's exited, still retained process ids, oldest first. */
  private readonly exitedByPrincipal = new Map<string | undefined, Set<string>>();

  constructor(private readonly options: ProcessRegistryOptions<P>) {}

  /** The process with this id owned by `principal`; `undefined` when there is none. */
  find(principal: string | undefined, processId: string): P | undefined {
    return this.byPrincipal.get(principal)?.get(processId)?.process;
  }

  /** Like `find`, but throws `not_found` (another principal's process is "not found" too). */
  get(principal: string | undefined, processId: string): P {
    const process = this.find(principal, processId);
    if (process === undefined) {
      throw new ProcwireError(ErrorCode.NotFound, `no process with id ${JSON.stringify(processId)}`, { processId });
    }
    return process;
  }

  /**
   * Throws `resource_exhausted` when `principal` may not start another process now. `starting`
   * counts starts the host has begun but not yet added (a host that launches asynchronously): they
   * count as running, all of them against the total and `ofPrincipal` of them against `principal`.
   */
  checkCapacity(principal: string | undefined, starting: { readonly total: number; readonly ofPrincipal: number } = NO_STARTS): void {
    if (this.runningCount + starting.total >= this.options.maxRunning) {
      throw new ProcwireError(
        ErrorCode.ResourceExhausted,
        `too many running processes: the limit is ${this.options.maxRunning}`,
      );
    }
    const perPrincipal = this.options.maxRunningPerPrincipal ?? this.options.maxRunning;
    if ((this.runningByPrincipal.get(principal) ?? 0) + starting.ofPrincipal >= perPrincipal) {
      throw new ProcwireError(
        ErrorCode.ResourceExhausted,
        `too many running processes for this principal: the limit is ${perPrincipal}`,
      );
    }
  }

  /** Record a started process (after `checkCapacity`). */
  add(principal: string | undefined, processId: string, process: P): void {
    let entries = this.byPrincipal.get(principal);
    if (entries === undefined) {
      entries = new Map();
      this.byPrincipal.set(principal, entries);
    }
    if (entries.has(processId)) throw new ProcwireError(ErrorCode.Internal, `process ${processId} is already registered`);
    entries.set(processId, { process, running: true });
    this.runningCount++;
    this.runningByPrincipal.set(principal, (this.runningByPrincipal.get(principal) ?? 0) + 1);
  }

  /** Mark a process exited: it no longer counts against limits and is forgotten after retention. */
  markExited(principal: string | undefined, processId: string): void {
    const entries = this.byPrincipal.get(principal);
    const entry = entries?.get(processId);
    if (entries === undefined || entry === undefined || !entry.running) return;
    entry.running = false;
    this.runningCount--;
    const count = (this.runningByPrincipal.get(principal) ?? 1) - 1;
    if (count === 0) this.runningByPrincipal.delete(principal);
    else this.runningByPrincipal.set(principal, count);
    entry.expiry = setTimeout(() => this.forget(principal, processId), this.options.retentionMs);
    // Retention must never keep the host's event loop alive.
    (entry.expiry as { unref?: () => void }).unref?.();
    let exited = this.exitedByPrincipal.get(principal);
    if (exited === undefined) {
      exited = new Set();
      this.exitedByPrincipal.set(principal, exited);
    }
    exited.add(processId);
    const maxRetained = this.options.maxRetainedPerPrincipal ?? this.options.maxRunningPerPrincipal ?? this.options.maxRunning;
    if (exited.size > maxRetained) this.forget(principal, this.oldestToForget(entries, exited));
  }

  /** The oldest exited process whose output was all read, else the oldest. */
  private oldestToForget(entries: Map<string, Entry<P>>, exited: Set<string>): string {
    const unread = this.options.hasUnreadOutput;
    if (unread !== undefined) {
      for (const id of exited) {
        const entry = entries.get(id);
        if (entry !== undefined && !unread(entry.process)) return id;
      }
    }
    return exited.values().next().value as string;
  }

  /** Forgets an exited process now. */
  private forget(principal: string | undefined, processId: string): void {
    const entries = this.byPrincipal.get(principal);
    const entry = entries?.get(processId);
    if (entries === undefined || entry === undefined || entry.running) return;
    clearTimeout(entry.expiry);
    entries.delete(processId);
    if (entries.size === 0) this.byPrincipal.delete(principal);
    const exited = this.exitedByPrincipal.get(principal);
    exited?.delete(processId);
    if (exited?.size === 0) this.exitedByPrincipal.delete(principal);
    this.options.onForget?.(entry.process);
  }

  /** The processes of `principal`, in start order. */
  list(principal: string | undefined): P[] {
    const entries = this.byPrincipal.get(principal);
    return entries === undefined ? [] : [...entries.values()].map((entry) => entry.process);
  }

  /** Every process of every principal (for shutdown). */
  all(): P[] {
    return [...this.byPrincipal.values()].flatMap((entries) => [...entries.values()].map((entry) => entry.process));
  }

  /** Number of running processes, all principals. */
  get running(): number {
    return this.runningCount;
  }

  /** Forget everything and cancel retention timers. */
  clear(): void {
    for (const entries of this.byPrincipal.values()) {
      for (const entry of entries.values()) {
        if (entry.expiry !== undefined) clearTimeout(entry.expiry);
        this.options.onForget?.(entry.process);
      }
    }
    this.byPrincipal.clear();
    this.exitedByPrincipal.clear();
    this.runningCount = 0;
    this.runningByPrincipal.clear();
  }
}
