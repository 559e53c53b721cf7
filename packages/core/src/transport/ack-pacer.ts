/**
 * Paces a client transport's `ackOutput` calls, for transports where an ack is a message of its
 * own (grpcTransport, websocketTransport). The host pauses a process once a stream's
 * unacknowledged output reaches its window, so acks must reach it well before that; but each ack
 * costs a message each way, so one per chunk (or per keystroke echoed by a terminal) would cost
 * about as much as the data. The pacer therefore:
 *
 * - sends an ack at once when it frees a quarter of the window or more (while data flows, the
 *   host never has more than about half its window unacknowledged, whatever the window's size);
 * - otherwise keeps only the latest offset and sends it {@link idleAckDelayMs} after the first
 *   offset it held (so a consumer's progress reaches the host within a few milliseconds once it
 *   stops, and a reader on another client continues exactly after it);
 * - keeps one ack in flight per stream, always for the latest offset.
 *
 * `pace` resolves as soon as the offset is recorded (an ack is advisory: a lost one is covered by
 * the next, and a real failure surfaces on the read path). A transport calls `noteWindow` with
 * every ProcessInfo it sees, `forget` once a process is done, and `flush` when it closes (pending
 * acks go out at once, and it waits a bounded time for them, so that the next reader starts where
 * this one stopped).
 */

/** How long a small ack is held back, joining the later ones into it. */
export const idleAckDelayMs = 3;
/** Processes remembered; past this the oldest are forgotten (their acks are then sent at once). */
const maxRemembered = 4096;

/** Sends one ack of `offset` for a stream. */
type SendAck = (offset: number) => Promise<unknown>;

/** One stream's acks: what was sent, what is pending, what is in flight. */
interface StreamAcks {
  /** The offset of the last ack sent (or being sent). */
  sent: number;
  /** The latest offset to acknowledge; above `sent` when an ack is pending. */
  pending: number;
  send: SendAck;
  inFlight: Promise<void> | undefined;
  idleTimer: ReturnType<typeof setTimeout> | undefined;
}

/** A background ack's failure is covered by the next ack or read (see {@link AckPacer}). */
function ignoreAckFailure(): void {}

export class AckPacer {
  /** processId -> the host's output window, from the ProcessInfo the transport saw. */
  private readonly windows = new Map<string, number>();
  /** `${processId} ${fd}` -> that stream's acks. */
  private readonly streams = new Map<string, StreamAcks>();

  /** Remember a process's output window (from start, get or list). */
  noteWindow(processId: string, outputWindowBytes: number): void {
    this.windows.delete(processId);
    this.windows.set(processId, outputWindowBytes);
    if (this.windows.size > maxRemembered) this.forget(this.windows.keys().next().value as string);
  }

  /**
   * Acknowledge everything before `offset` (as {@link AckPacer} explains): `send(offset)` sends
   * one ack. Resolves once the offset is recorded or, when it is sent at once, as that send does
   * (rejecting as it does: the host's answer, e.g. `not_found`, reaches the caller).
   */
  pace(processId: string, fd: number, offset: number, send: SendAck): Promise<void> {
    const key = `${processId} ${fd}`;
    let stream = this.streams.get(key);
    if (stream === undefined) {
      // -1: even an ack of offset 0 is sent (and answered) the first time.
      stream = { sent: -1, pending: -1, send, inFlight: undefined, idleTimer: undefined };
      this.streams.set(key, stream);
    }
    stream.send = send;
    if (offset <= stream.pending) return stream.inFlight ?? Promise.resolve();
    stream.pending = offset;
    if (stream.inFlight !== undefined) return Promise.resolve();
    if (stream.pending - stream.sent >= this.busyBytes(processId)) return this.sendNow(key, stream);
    this.armIdleTimer(key, stream);
    return Promise.resolve();
  }

  /** Sends every pending ack now; resolves once they went out (or failed), or after `timeoutMs`. */
  async flush(timeoutMs: number): Promise<void> {
    const sending: Promise<void>[] = [];
    for (const [key, stream] of this.streams) {
      if (stream.inFlight === undefined && stream.pending > stream.sent) this.sendNow(key, stream).catch(ignoreAckFailure);
      if (stream.inFlight !== undefined) sending.push(this.settled(stream));
    }
    if (sending.length === 0) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      Promise.all(sending),
      new Promise((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      }),
    ]);
    clearTimeout(timer);
  }

  /** Forget a process (it exited and its outputs are at EOF); pending acks still go out. */
  forget(processId: string): void {
    this.windows.delete(processId);
    for (const fd of [1, 2]) {
      const key = `${processId} ${fd}`;
      const stream = this.streams.get(key);
      if (stream === undefined) continue;
      if (stream.inFlight === undefined && stream.pending > stream.sent) this.sendNow(key, stream).catch(ignoreAckFailure);
      if (stream.inFlight === undefined) this.drop(key, stream);
    }
  }

  /** Resolves when the stream has no ack in flight any more. */
  private async settled(stream: StreamAcks): Promise<void> {
    while (stream.inFlight !== undefined) await stream.inFlight;
  }

  private busyBytes(processId: string): number {
    const window = this.windows.get(processId);
    // Unknown window (a process this transport never saw started): do not hold anything back.
    return window === undefined ? 0 : window / 4;
  }

  /** At most one timer per stream, not re-armed by later offsets: a trickle is acked every few ms. */
  private armIdleTimer(key: string, stream: StreamAcks): void {
    if (stream.idleTimer !== undefined) return;
    stream.idleTimer = setTimeout(() => {
      stream.idleTimer = undefined;
      if (stream.inFlight === undefined && stream.pending > stream.sent) this.sendNow(key, stream).catch(ignoreAckFailure);
    }, idleAckDelayMs);
    // A pending ack is no reason to keep Node running: close() flushes. (A browser's timer is a
    // number, without unref.)
    (stream.idleTimer as { unref?: () => void }).unref?.();
  }

  /** Sends the pending offset; the promise settles as the send does (inFlight never rejects). */
  private sendNow(key: string, stream: StreamAcks): Promise<void> {
    if (stream.idleTimer !== undefined) {
      clearTimeout(stream.idleTimer);
      stream.idleTimer = undefined;
    }
    const offset = stream.pending;
    stream.sent = offset;
    let sending: Promise<unknown>;
    try {
      sending = stream.send(offset);
    } catch (error) {
      sending = Promise.reject(error);
    }
    stream.inFlight = sending.then(
      () => this.afterSend(key, stream),
      () => this.afterSend(key, stream),
    );
    return sending.then(() => {});
  }

  /** One ack is done: send what became due meanwhile, or wait for the stream to go quiet. */
  private afterSend(key: string, stream: StreamAcks): void {
    stream.inFlight = undefined;
    const processId = key.slice(0, key.lastIndexOf(' '));
    if (stream.pending > stream.sent) {
      if (stream.pending - stream.sent >= this.busyBytes(processId)) this.sendNow(key, stream).catch(ignoreAckFailure);
      else this.armIdleTimer(key, stream);
    } else if (!this.windows.has(processId)) {
      this.drop(key, stream);
    }
  }

  private drop(key: string, stream: StreamAcks): void {
    if (stream.idleTimer !== undefined) clearTimeout(stream.idleTimer);
    if (this.streams.get(key) === stream) this.streams.delete(key);
  }
}
