/**
 * One open `procwire.v1` connection on the client side: it numbers calls, routes each incoming
 * frame to the call it names, and fails every call in flight with `unavailable` when the socket
 * drops (the core then retries from its offsets on a new connection).
 */
import { ErrorCode, ProcwireError } from '@procwire/core/transport';
import { decodeFrame, type Frame } from '../wire/index.js';
import { type ClientSocket, messageBytes, SOCKET_OPEN, type SocketOpener } from './client-socket.js';

/** What a call in flight hears from its connection. */
export interface CallHandler {
  /** A frame naming this call. */
  onFrame(frame: Frame): void;
  /** The connection is gone; the call will hear nothing more. */
  onGone(error: ProcwireError): void;
}

const MAX_CALL_ID = 0xffff_ffff;

export class WireConnection {
  private readonly calls = new Map<number, CallHandler>();
  private nextCallId = 1;
  private goneError: ProcwireError | undefined;
  private readonly goneListeners: Array<() => void> = [];

  private constructor(
    private readonly socket: ClientSocket,
    private readonly url: string,
  ) {
    socket.onmessage = (event) => this.receive(event.data);
    socket.onclose = (event) =>
      this.gone(
        new ProcwireError(
          ErrorCode.Unavailable,
          `connection to ${url} closed (code ${event.code}${event.reason ? `: ${event.reason}` : ''})`,
        ),
      );
    socket.onerror = () => {};
  }

  /** Open a connection; rejects with `unavailable` (or the handshake's precise error). */
  static open(opener: SocketOpener, url: string, token: string | undefined, timeoutMs: number): Promise<WireConnection> {
    return new Promise((resolve, reject) => {
      let socket: ClientSocket;
      try {
        socket = opener.open(url, token);
      } catch (error) {
        reject(ProcwireError.from(error, ErrorCode.InvalidArgument));
        return;
      }
      let failure: ProcwireError | undefined;
      let reason = '';
      const timer = setTimeout(() => {
        failure = new ProcwireError(ErrorCode.Unavailable, `could not connect to ${url} within ${timeoutMs} ms`);
        socket.close();
        settleFailure();
      }, timeoutMs);
      const settleFailure = () => {
        clearTimeout(timer);
        socket.onopen = socket.onclose = socket.onerror = null;
        reject(failure ?? new ProcwireError(ErrorCode.Unavailable, `could not connect to ${url}${reason}`));
      };
      socket.onerror = (event) => {
        failure ??= opener.failureOf?.(event, url);
        // Node's ws says why (ECONNREFUSED, a TLS certificate error); a browser's event does not.
        const message = (event as { message?: unknown }).message;
        if (typeof message === 'string' && message !== '') reason = `: ${message}`;
      };
      socket.onclose = () => settleFailure();
      socket.onopen = () => {
        clearTimeout(timer);
        socket.onopen = null;
        resolve(new WireConnection(socket, url));
      };
    });
  }

  /** True while frames can be sent. */
  get isOpen(): boolean {
    return this.goneError === undefined && this.socket.readyState === SOCKET_OPEN;
  }

  /** Run `listener` once when the connection is gone. */
  onGone(listener: () => void): void {
    if (this.goneError !== undefined) listener();
    else this.goneListeners.push(listener);
  }

  /** Register a call and return its id; throws `unavailable` if the connection is gone. */
  register(handler: CallHandler): number {
    if (this.goneError !== undefined) throw this.goneError;
    while (this.calls.has(this.nextCallId)) this.advanceCallId();
    const callId = this.nextCallId;
    this.advanceCallId();
    this.calls.set(callId, handler);
    return callId;
  }

  /** Forget a call: frames naming it are dropped from now on. */
  unregister(callId: number): void {
    this.calls.delete(callId);
  }

  /** Send a frame; a no-op once the connection is gone (its calls already failed). */
  send(frame: Uint8Array): void {
    if (this.goneError !== undefined) return;
    this.socket.send(frame);
  }

  /** Close the connection; calls in flight fail with `error`. */
  close(error: ProcwireError): void {
    this.gone(error);
    try {
      this.socket.close(1000, 'client closed');
    } catch {
      // Closing a socket that is already closing is not an error worth reporting.
    }
  }

  private advanceCallId(): void {
    this.nextCallId = this.nextCallId === MAX_CALL_ID ? 1 : this.nextCallId + 1;
  }

  private receive(data: unknown): void {
    const bytes = messageBytes(data);
    let frame: Frame;
    try {
      if (bytes === undefined) throw new Error('text frame');
      frame = decodeFrame(bytes);
    } catch {
      this.close(new ProcwireError(ErrorCode.Unavailable, `${this.url} sent a frame that is not procwire.v1`));
      return;
    }
    this.calls.get(frame.callId)?.onFrame(frame);
  }

  private gone(error: ProcwireError): void {
    if (this.goneError !== undefined) return;
    this.goneError = error;
    this.socket.onmessage = null;
    const handlers = [...this.calls.values()];
    this.calls.clear();
    for (const handler of handlers) handler.onGone(error);
    for (const listener of this.goneListeners.splice(0)) listener();
  }
}
