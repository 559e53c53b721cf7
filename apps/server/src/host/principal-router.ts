/**
 * PrincipalRouter: a transport that gives each principal a host transport of its own (with the
 * docker backend: a container per principal). The principal's host is opened at its first start,
 * every call of that principal goes to it, and it is released after `idleMs` with no process
 * running, and on close. Fronts serve the router like any transport and never see the routing.
 */
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
  validateProcessId,
  type WriteInputRequest,
  type WriteInputResult,
} from '@procwire/core/transport';

/** Opens and releases the host transport of one principal. */
export interface PrincipalHosts {
  /** The principal's host, ready to start processes (a container made or found again, say). */
  open(principal: string | undefined): Promise<Transport>;
  /** The principal's host is no longer needed: close it and free what it holds. */
  release(principal: string | undefined, host: Transport): Promise<void>;
  /**
   * A start on the principal's host failed with `failed_precondition` (its container stopped,
   * say: a principal may kill its own container's main process). Make the host usable again;
   * resolves true when the start is worth one more try.
   */
  recover?(principal: string | undefined, host: Transport): Promise<boolean>;
  /** The router closes: free what is left (hosts a previous run made and nobody opened since). */
  releaseAll?(): Promise<void>;
}

export interface PrincipalRouterOptions {
  /** How long a principal's host stays with no process running before it is released. */
  readonly idleMs: number;
}

interface PrincipalEntry {
  readonly host: Promise<Transport>;
  /** The host once open, so hot paths (reads, acks) skip a promise hop. */
  ready: Transport | undefined;
  /** Processes started through the router and not yet exited, plus starts in flight. */
  readonly running: Set<string>;
  starting: number;
  idleTimer: ReturnType<typeof setTimeout> | undefined;
}

export class PrincipalRouter implements Transport {
  readonly #hosts: PrincipalHosts;
  readonly #idleMs: number;
  readonly #entries = new Map<string | undefined, PrincipalEntry>();
  /** Hosts being released, by principal: a new start waits for the release before it reopens. */
  readonly #releasing = new Map<string | undefined, Promise<void>>();
  #closed = false;

  constructor(hosts: PrincipalHosts, options: PrincipalRouterOptions) {
    this.#hosts = hosts;
    this.#idleMs = options.idleMs;
  }

  /** Principals whose host is open now. */
  get openPrincipals(): (string | undefined)[] {
    return [...this.#entries.keys()];
  }

  async start(request: StartRequest, options?: CallOptions): Promise<ProcessInfo> {
    this.#checkOpen();
    const principal = options?.principal;
    const entry = await this.#open(principal);
    entry.starting++;
    this.#cancelIdle(entry);
    try {
      const host = await entry.host;
      const info = await host.start(request, options).catch(async (error: unknown) => {
        const recoverable = error instanceof ProcwireError && error.code === ErrorCode.FailedPrecondition;
        if (!recoverable || !(await this.#hosts.recover?.(principal, host))) throw error;
        return host.start(request, options);
      });
      if (info.state === 'running' && !entry.running.has(info.processId)) this.#track(entry, host, principal, info.processId);
      return info;
    } finally {
      entry.starting--;
      this.#armIdle(principal, entry);
    }
  }

  readOutput(request: ReadOutputRequest, options?: CallOptions): AsyncIterable<OutputChunk> {
    const ready = this.#entries.get(options?.principal)?.ready;
    if (ready !== undefined) return ready.readOutput(request, options);
    const find = () => this.#find(request, options);
    return {
      async *[Symbol.asyncIterator]() {
        const host = await find();
        yield* host.readOutput(request, options);
      },
    };
  }

  async ackOutput(request: AckOutputRequest, options?: CallOptions): Promise<void> {
    return (await this.#find(request, options)).ackOutput(request, options);
  }

  async writeInput(request: WriteInputRequest, options?: CallOptions): Promise<WriteInputResult> {
    return (await this.#find(request, options)).writeInput(request, options);
  }

  async wait(request: ProcessRequest, options?: CallOptions): Promise<ExitStatus> {
    return (await this.#find(request, options)).wait(request, options);
  }

  async poll(request: ProcessRequest, options?: CallOptions): Promise<ExitStatus | null> {
    return (await this.#find(request, options)).poll(request, options);
  }

  async signal(request: SignalRequest, options?: CallOptions): Promise<void> {
    return (await this.#find(request, options)).signal(request, options);
  }

  async resize(request: ResizeRequest, options?: CallOptions): Promise<void> {
    return (await this.#find(request, options)).resize(request, options);
  }

  async get(request: ProcessRequest, options?: CallOptions): Promise<ProcessInfo> {
    return (await this.#find(request, options)).get(request, options);
  }

  async list(options?: CallOptions): Promise<ProcessInfo[]> {
    this.#checkOpen();
    const entry = this.#entries.get(options?.principal);
    if (entry === undefined) return [];
    return (await entry.host).list(options);
  }

  /** Closes every principal's host (killing its processes) and releases it. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const releases = [...this.#entries.keys()].map((principal) => this.#release(principal));
    await Promise.allSettled([...releases, ...this.#releasing.values()]);
    await this.#hosts.releaseAll?.();
  }

  async #open(principal: string | undefined): Promise<PrincipalEntry> {
    await this.#releasing.get(principal);
    this.#checkOpen();
    let entry = this.#entries.get(principal);
    if (entry !== undefined) return entry;
    const host = this.#hosts.open(principal);
    const created: PrincipalEntry = { host, ready: undefined, running: new Set(), starting: 0, idleTimer: undefined };
    entry = created;
    this.#entries.set(principal, entry);
    host.then(
      (opened) => {
        created.ready = opened;
      },
      () => {
        // A host that failed to open is forgotten, so the next start tries again.
        if (this.#entries.get(principal) === created) this.#entries.delete(principal);
      },
    );
    return entry;
  }

  /** The principal's host; `not_found` (as for any unknown process) when it has none. */
  async #find(request: { readonly processId: string }, options: CallOptions | undefined): Promise<Transport> {
    this.#checkOpen();
    const entry = this.#entries.get(options?.principal);
    if (entry === undefined) {
      validateProcessId(request?.processId);
      throw new ProcwireError(ErrorCode.NotFound, `no process with id ${JSON.stringify(request.processId)}`, {
        processId: request.processId,
      });
    }
    return entry.ready ?? entry.host;
  }

  #track(entry: PrincipalEntry, host: Transport, principal: string | undefined, processId: string): void {
    entry.running.add(processId);
    const exited = () => {
      entry.running.delete(processId);
      this.#armIdle(principal, entry);
    };
    host.wait({ processId }, { principal }).then(exited, exited);
  }

  #cancelIdle(entry: PrincipalEntry): void {
    if (entry.idleTimer !== undefined) clearTimeout(entry.idleTimer);
    entry.idleTimer = undefined;
  }

  #armIdle(principal: string | undefined, entry: PrincipalEntry): void {
    if (this.#closed || entry.running.size > 0 || entry.starting > 0) return;
    this.#cancelIdle(entry);
    entry.idleTimer = setTimeout(() => {
      entry.idleTimer = undefined;
      if (this.#entries.get(principal) !== entry || entry.running.size > 0 || entry.starting > 0) return;
      void this.#release(principal);
    }, this.#idleMs);
    entry.idleTimer.unref();
  }

  #release(principal: string | undefined): Promise<void> {
    const entry = this.#entries.get(principal);
    if (entry === undefined) return Promise.resolve();
    this.#entries.delete(principal);
    this.#cancelIdle(entry);
    const released = entry.host
      .then(
        (host) => this.#hosts.release(principal, host),
        () => {},
      )
      .catch(() => {})
      .finally(() => {
        if (this.#releasing.get(principal) === released) this.#releasing.delete(principal);
      });
    this.#releasing.set(principal, released);
    return released;
  }

  #checkOpen(): void {
    if (this.#closed) throw new ProcwireError(ErrorCode.Closed, 'the server is shutting down');
  }
}
