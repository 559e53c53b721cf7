/**
 * Paces a client transport's `ackOutput` calls, for transports where an ack is a message of its
 * own (grpcTransport, websocketTransport). Core keeps one ack in flight per stream for the latest
 * offset, so holding one back joins the later ones into it. A stream moving many bytes is acked
 * within a couple of milliseconds (the host's window must not run dry); one moving a few (a
 * terminal echoing keystrokes) is acked a few times a second, not once per keystroke, since each
 * ack costs a message each way, about as much CPU as the echo itself. A quiet hold ends early as
 * soon as the reader has received enough for a busy one.
 *
 * A transport sends each ack through `pace`, calls `noteWindow` with every ProcessInfo it sees,
 * `received` for every chunk it reads, `forget` once a process is done, and `flush` when it closes
 * (held acks go out at once, and it waits a bounded time for them, so that the next reader starts
 * where this one stopped).
 */

/** Hold-back of an ack that frees a good part of the window. */
const busyAckDelayMs = 2;
/** Hold-back of an ack that frees little: the window is nowhere near full. */
const quietAckDelayMs = 250;
/** An ack of at least this much (or a quarter of the window) is a busy one. */
const busyAckBytes = 64 * 1024;
/** Processes remembered; past this the oldest are forgotten (their acks are then all "busy"). */
const maxRemembered = 4096;

export class AckPacer {
  /** processId -> the host's output window, from the ProcessInfo the transport saw. */
  private readonly windows = new Map<string, number>();
  /** `${processId} ${fd}` -> the offset of the last ack sent. */
  private readonly acked = new Map<string, number>();
  /** `${processId} ${fd}` -> ends the quiet hold of that stream's ack now. */
  private readonly holds = new Map<string, () => void>();
  /** Acks held or being sent. */
  private readonly inFlight = new Set<Promise<void>>();

  /** Remember a process's output window (from start, get or list). */
  noteWindow(processId: string, outputWindowBytes: number): void {
    this.windows.delete(processId);
    this.windows.set(processId, outputWindowBytes);
    if (this.windows.size > maxRemembered) this.forget(this.windows.keys().next().value as string);
  }

  /** Holds the ack of `offset` back (as {@link AckPacer} explains), then sends it with `send`. */
  pace(processId: string, fd: number, offset: number, send: () => Promise<unknown>): Promise<void> {
    const ack = this.hold(processId, fd, offset)
      .then(send)
      .then(() => this.sent(processId, fd, offset));
    this.inFlight.add(ack);
    const done = () => this.inFlight.delete(ack);
    ack.then(done, done);
    return ack;
  }

  /** Ends every hold now and resolves once those acks went out (or failed), or after `timeoutMs`. */
  async flush(timeoutMs: number): Promise<void> {
    for (const release of [...this.holds.values()]) release();
    if (this.inFlight.size === 0) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      Promise.allSettled([...this.inFlight]),
      new Promise((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      }),
    ]);
    clearTimeout(timer);
  }

  private hold(processId: string, fd: number, offset: number): Promise<void> {
    const key = `${processId} ${fd}`;
    const window = this.windows.get(processId);
    const busy = window === undefined || offset - (this.acked.get(key) ?? 0) >= this.busyBytes(window);
    return new Promise((resolve) => {
      const release = () => {
        clearTimeout(timer);
        if (this.holds.get(key) === release) this.holds.delete(key);
        resolve();
      };
      const timer = setTimeout(release, busy ? busyAckDelayMs : quietAckDelayMs);
      if (!busy) {
        // An ack is advisory: a quiet one pending is no reason to keep Node running. (A browser's
        // timer is a number, without unref.)
        (timer as { unref?: () => void }).unref?.();
        this.holds.get(key)?.();
        this.holds.set(key, release);
      }
    });
  }

  /** The reader of a stream has received everything before `offset`: a quiet hold may end now. */
  received(processId: string, fd: number, offset: number): void {
    // Called for every chunk read: no key to build while no ack is held (a busy stream's case).
    if (this.holds.size === 0) return;
    const key = `${processId} ${fd}`;
    const release = this.holds.get(key);
    if (release === undefined) return;
    const window = this.windows.get(processId);
    if (window === undefined || offset - (this.acked.get(key) ?? 0) >= this.busyBytes(window)) release();
  }

  private busyBytes(window: number): number {
    return Math.min(busyAckBytes, window / 4);
  }

  private sent(processId: string, fd: number, offset: number): void {
    if (this.windows.has(processId)) this.acked.set(`${processId} ${fd}`, offset);
  }

  /** Forget a process (it exited and its outputs are at EOF). */
  forget(processId: string): void {
    this.windows.delete(processId);
    this.acked.delete(`${processId} 1`);
    this.acked.delete(`${processId} 2`);
  }
}
