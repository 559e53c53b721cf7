/**
 * The Node client's {@link ClientSocket}: a `ws` WebSocket seen through the WHATWG shape the
 * shared client code uses. It listens to ws's own events (no `MessageEvent` object per message)
 * and corks the TCP stream until the end of the tick on each send, so the frames one tick sends
 * (an `Ack` and the next `Write`) leave together.
 */
import type { WebSocket } from 'ws';
import { TickCork } from '../node/tick-cork.js';
import type { ClientSocket } from './client-socket.js';

export class NodeClientSocket implements ClientSocket {
  binaryType = 'nodebuffer';
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { readonly data: unknown }) => void) | null = null;
  onclose: ((event: { readonly code: number; readonly reason: string }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  private readonly cork: TickCork;

  constructor(private readonly socket: WebSocket) {
    this.cork = new TickCork(socket);
    // Buffers as they arrive: 'arraybuffer' would copy every message.
    socket.binaryType = 'nodebuffer';
    socket.on('open', () => this.onopen?.({ type: 'open' }));
    socket.on('message', (data, isBinary) => this.onmessage?.({ data: isBinary ? data : data.toString() }));
    socket.on('close', (code, reason) => this.onclose?.({ code, reason: reason.toString() }));
    // The error itself is the event: its message says why (ECONNREFUSED, an HTTP status).
    socket.on('error', (error) => this.onerror?.(error));
  }

  get readyState(): number {
    return this.socket.readyState;
  }

  send(data: Uint8Array): void {
    this.cork.engage();
    this.socket.send(data);
  }

  close(code?: number, reason?: string): void {
    this.socket.close(code, reason);
  }
}
