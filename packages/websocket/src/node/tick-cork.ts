/**
 * Holds a `ws` socket's TCP stream corked until the end of the current tick, so the frames one
 * tick sends (an `Ack` and the next `Write`; a `Result` and a `Written`) leave in one `writev` and
 * wake the peer once instead of once per frame. Node only; uses ws 8's `_socket` and does nothing
 * when it is not there.
 */
import type { WebSocket } from 'ws';

interface CorkableStream {
  cork(): void;
  uncork(): void;
}

export class TickCork {
  private engaged = false;
  private stream: CorkableStream | undefined;
  private readonly release = () => {
    this.engaged = false;
    this.stream?.uncork();
    this.stream = undefined;
  };

  constructor(private readonly socket: WebSocket) {}

  /** Cork now (once per tick); the stream is uncorked when the tick's queue runs. */
  engage(): void {
    if (this.engaged) return;
    const stream = (this.socket as unknown as { _socket?: Partial<CorkableStream> | null })._socket;
    if (stream == null || typeof stream.cork !== 'function' || typeof stream.uncork !== 'function') return;
    this.engaged = true;
    this.stream = stream as CorkableStream;
    this.stream.cork();
    process.nextTick(this.release);
  }
}
