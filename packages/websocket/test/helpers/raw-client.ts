/**
 * A bare `procwire.v1` client on the `ws` package, for tests that send exact frames (flow
 * control, fuzzing) instead of going through `websocketTransport()`.
 */
import { decodeFrame, type Frame, SUBPROTOCOL } from '@procwire/websocket';
import { WebSocket } from 'ws';

export interface CloseInfo {
  readonly code: number;
  readonly reason: string;
}

export class RawClient {
  readonly frames: Frame[] = [];
  readonly closed: Promise<CloseInfo>;
  closeInfo: CloseInfo | undefined;
  private listeners = new Set<() => void>();

  private constructor(private readonly socket: WebSocket) {
    this.closed = new Promise((resolve) => {
      socket.on('close', (code, reason) => {
        this.closeInfo = { code, reason: reason.toString() };
        resolve(this.closeInfo);
        this.notify();
      });
    });
    socket.on('message', (data: Buffer, isBinary) => {
      if (!isBinary) throw new Error('the server sent a text frame');
      this.frames.push(decodeFrame(data));
      this.notify();
    });
  }

  static connect(url: string, token: string): Promise<RawClient> {
    const socket = new WebSocket(url, [SUBPROTOCOL], {
      perMessageDeflate: false,
      headers: { authorization: `Bearer ${token}` },
    });
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(new RawClient(socket)));
      socket.once('error', reject);
    });
  }

  get isOpen(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  /** Bytes sent but not yet handed to the OS (the server is not reading them). */
  get bufferedAmount(): number {
    return this.socket.bufferedAmount;
  }

  /** Stop or go on reading what the server sends. */
  setReading(reading: boolean): void {
    if (reading) this.socket.resume();
    else this.socket.pause();
  }

  send(data: Uint8Array | string): void {
    this.socket.send(data, { binary: typeof data !== 'string' });
  }

  /** Resolves when `condition()` holds (checked after every frame and on close), or rejects after `timeoutMs`. */
  until(condition: () => boolean, timeoutMs = 10_000, what = 'a condition'): Promise<void> {
    if (condition()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!condition()) return;
        clearTimeout(timer);
        this.listeners.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.listeners.delete(check);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      this.listeners.add(check);
    });
  }

  close(): Promise<CloseInfo> {
    if (this.socket.readyState === WebSocket.OPEN) this.socket.close(1000);
    else if (this.socket.readyState === WebSocket.CONNECTING) this.socket.terminate();
    return this.closed;
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }
}
