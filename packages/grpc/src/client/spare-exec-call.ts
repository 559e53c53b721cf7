/**
 * One Exec call opened ahead of the next exec. Opening a gRPC call is most of what a short exec
 * costs over the wire: the client builds and sends HTTP/2 headers, the server decodes them,
 * authenticates and runs its handler, and only then does the start message count. A call opened
 * while the previous process runs has all that done, so the next exec costs one message.
 *
 * The spare is opened after an exec started and dropped once no exec took it for `idleMs`: an
 * open call keeps the channel (and so Node) alive, and holds one of the principal's streams on the
 * server.
 */
import type { ClientDuplexStream } from '@grpc/grpc-js';
import type * as pb from '../gen/procwire/v1/procwire.js';

export type ExecCall = ClientDuplexStream<pb.ExecRequest, pb.ExecEvent>;

export class SpareExecCall {
  #call: ExecCall | undefined;
  #idleTimer: NodeJS.Timeout | undefined;
  #opening: NodeJS.Immediate | undefined;
  /** Set by `drop()`: the transport closed, nothing is opened any more. */
  #dropped = false;

  constructor(
    private readonly open: () => ExecCall,
    private readonly idleMs: number,
  ) {}

  /** The spare call, or a new one when there is none (or it failed while it waited). */
  take(): ExecCall {
    const call = this.#call;
    this.#call = undefined;
    return call ?? this.open();
  }

  /**
   * After an exec started: have a spare ready for the next one, kept for another `idleMs`. It is
   * opened on the next turn of the event loop, once the caller has its process.
   */
  prime(): void {
    if (this.#call === undefined && this.#opening === undefined && !this.#dropped) {
      this.#opening = setImmediate(() => {
        this.#opening = undefined;
        if (this.#call === undefined && !this.#dropped) this.#call = this.#openSpare();
        this.keep();
      });
    }
    this.keep();
  }

  #openSpare(): ExecCall {
    const call = this.open();
    // A spare that failed (the server refused it, or the connection broke) is not handed out;
    // the next exec opens its own call and meets the failure there.
    const forget = () => {
      if (this.#call === call) this.#call = undefined;
    };
    call.on('error', forget);
    call.on('status', forget);
    call.on('end', forget);
    return call;
  }

  /** An exec ended: whoever runs them one after another will want the spare soon. */
  keep(): void {
    if (this.#call === undefined) return;
    clearTimeout(this.#idleTimer);
    this.#idleTimer = setTimeout(() => this.drop(), this.idleMs);
    // The call keeps Node running until the timer ends it; the timer adds nothing.
    this.#idleTimer.unref();
  }

  /** Cancels the spare (the server sees a call that never started anything) and opens no more. */
  close(): void {
    this.#dropped = true;
    clearImmediate(this.#opening);
    this.#opening = undefined;
    this.drop();
  }

  /** Cancels the spare (the server sees a call that never started anything). */
  drop(): void {
    clearTimeout(this.#idleTimer);
    this.#idleTimer = undefined;
    const call = this.#call;
    this.#call = undefined;
    call?.cancel();
  }
}
