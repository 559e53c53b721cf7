/**
 * The calls in flight on one client connection, for servers whose wire multiplexes calls by id:
 * a bound on how many (`resource_exhausted` naming it), one call per id (reusing an id in flight
 * cancels both), cancel by id, and every host call aborted when the connection drops, so a client
 * that goes away leaves no reads or waits behind on the host.
 */
import { ErrorCode, ProcwireError } from '../errors.js';

/**
 * A call as a connection tracks it. `controller` aborts its host call; a call without one (a
 * quick, frequent call that is not worth an AbortController each) may use {@link ConnectionCalls.dropped}.
 */
export interface ConnectionCall {
  readonly controller?: AbortController;
}

/** The calls in flight on one connection (see the module comment). */
export class ConnectionCalls<C extends ConnectionCall = ConnectionCall> {
  private readonly calls = new Map<number, C>();
  private readonly closing = new AbortController();

  /** `maxCalls`: how many calls may be in flight at once; one more is `resource_exhausted`. */
  constructor(private readonly maxCalls: number) {
    if (!Number.isSafeInteger(maxCalls) || maxCalls < 1) {
      throw new ProcwireError(ErrorCode.InvalidArgument, `the most calls per connection must be an integer >= 1, got ${String(maxCalls)}`);
    }
  }

  /** Aborts (with `unavailable`) when the connection drops: a signal for calls without their own controller. */
  get dropped(): AbortSignal {
    return this.closing.signal;
  }

  /** Whether the connection dropped ({@link close}). */
  get closed(): boolean {
    return this.closing.signal.aborted;
  }

  /** How many calls are in flight. */
  get size(): number {
    return this.calls.size;
  }

  /** The call in flight under `id`, if any. */
  get(id: number): C | undefined {
    return this.calls.get(id);
  }

  /**
   * Track `call` under `id`. Throws `invalid_argument` when `id` is already in flight (that call
   * is cancelled as well: the client lost track of it), `resource_exhausted` when the bound is
   * reached, and `unavailable` once the connection dropped.
   */
  open(id: number, call: C): void {
    this.closing.signal.throwIfAborted();
    const existing = this.calls.get(id);
    if (existing !== undefined) {
      const error = new ProcwireError(ErrorCode.InvalidArgument, `call id ${id} is already in flight: both calls are cancelled`);
      this.calls.delete(id);
      existing.controller?.abort(error);
      throw error;
    }
    if (this.calls.size >= this.maxCalls) {
      throw new ProcwireError(
        ErrorCode.ResourceExhausted,
        `too many calls in flight on this connection: the limit is ${this.maxCalls}`,
      );
    }
    this.calls.set(id, call);
  }

  /**
   * The call ended: true when `call` is still the one in flight under `id` (answer it); false
   * when it was cancelled, replaced or the connection dropped (its answer must not be sent).
   */
  finish(id: number, call: C): boolean {
    if (this.calls.get(id) !== call) return false;
    this.calls.delete(id);
    return true;
  }

  /**
   * The client cancels call `id`: its host call is aborted and it is no longer in flight. Returns
   * the `aborted` error to answer it with; throws `not_found` when no call has that id.
   */
  cancel(id: number): ProcwireError {
    const call = this.calls.get(id);
    if (call === undefined) throw new ProcwireError(ErrorCode.NotFound, `no call in flight with call id ${id}`);
    this.calls.delete(id);
    const error = new ProcwireError(ErrorCode.Aborted, 'cancelled by the client');
    call.controller?.abort(error);
    return error;
  }

  /** The connection dropped: abort every call in flight and {@link dropped}. Idempotent. */
  close(): void {
    if (this.closed) return;
    const reason = new ProcwireError(ErrorCode.Unavailable, 'the connection was closed');
    const calls = [...this.calls.values()];
    this.calls.clear();
    this.closing.abort(reason);
    for (const call of calls) call.controller?.abort(reason);
  }
}
