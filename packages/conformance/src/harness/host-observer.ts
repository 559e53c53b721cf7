/**
 * Watches the host transport a server fronts, for the cases that check what only the server side
 * shows: the host calls a dropped connection leaves running, and errors before they cross the wire.
 */
import type { CallOptions, OutputChunk, ReadOutputRequest, Transport } from '@procwire/core/transport';

/** A host call that can block, as the observer counts it. */
export type BlockingHostCall = 'readOutput' | 'wait' | 'writeInput';

/** What `setup()` is given: hand your server the observed host instead of the host itself. */
export interface ConformanceSetupKit {
  /**
   * `host` with every call passing through and watched: give the result to your server
   * (`serveMine(kit.observeHost(localTransport()))`). The cases about dropped connections and
   * errors on the wire need it; without it they are skipped, named.
   */
  observeHost(host: Transport): Transport;
}

/** The observed host, as the cases see it. */
export interface ObservedHost {
  /** The host itself, called directly (no principal): what an error looks like before the wire. */
  readonly direct: Transport;
  /** Host calls of this kind about `processId` that have started and not yet ended. */
  running(call: BlockingHostCall, processId: string): number;
}

/** Counts the blocking calls the server makes on a host, per process. */
export class HostObserver implements ObservedHost {
  private readonly calls = new Map<string, number>();

  constructor(readonly direct: Transport) {}

  running(call: BlockingHostCall, processId: string): number {
    return this.calls.get(`${call} ${processId}`) ?? 0;
  }

  /** The transport to hand the server. */
  transport(): Transport {
    const host = this.direct;
    return {
      start: (request, options) => host.start(request, options),
      readOutput: (request, options) => this.watchRead(request, options),
      ackOutput: (request, options) => host.ackOutput(request, options),
      writeInput: (request, options) => this.watch('writeInput', request.processId, () => host.writeInput(request, options)),
      wait: (request, options) => this.watch('wait', request.processId, () => host.wait(request, options)),
      poll: (request, options) => host.poll(request, options),
      signal: (request, options) => host.signal(request, options),
      resize: (request, options) => host.resize(request, options),
      get: (request, options) => host.get(request, options),
      list: (options) => host.list(options),
      close: () => host.close(),
    };
  }

  private count(call: BlockingHostCall, processId: string, change: 1 | -1): void {
    const key = `${call} ${processId}`;
    const now = (this.calls.get(key) ?? 0) + change;
    if (now === 0) this.calls.delete(key);
    else this.calls.set(key, now);
  }

  private async watch<T>(call: BlockingHostCall, processId: string, run: () => Promise<T>): Promise<T> {
    this.count(call, processId, 1);
    try {
      return await run();
    } finally {
      this.count(call, processId, -1);
    }
  }

  /** A read runs from its first `next()` until it finishes, fails or is returned. */
  private watchRead(request: ReadOutputRequest, options?: CallOptions): AsyncIterable<OutputChunk> {
    const observer = this;
    return {
      [Symbol.asyncIterator]() {
        const inner = observer.direct.readOutput(request, options)[Symbol.asyncIterator]();
        let state: 'idle' | 'running' | 'ended' = 'idle';
        const end = () => {
          if (state === 'running') observer.count('readOutput', request.processId, -1);
          state = 'ended';
        };
        return {
          async next() {
            if (state === 'idle') {
              state = 'running';
              observer.count('readOutput', request.processId, 1);
            }
            try {
              const result = await inner.next();
              if (result.done) end();
              return result;
            } catch (error) {
              end();
              throw error;
            }
          },
          async return() {
            end();
            return (await inner.return?.()) ?? { done: true, value: undefined };
          },
        };
      },
    };
  }
}
