/**
 * How long grpcTransport holds back an AckOutput. Core keeps one ack in flight per stream for the
 * latest offset, so holding one back joins the later ones into it. A stream moving many bytes is
 * acked within a couple of milliseconds (the host's window must not run dry); one moving a few
 * (a terminal echoing keystrokes) is acked a few times a second, not once per keystroke, since each
 * ack is a unary call that costs about as much CPU as the echo itself.
 */

/** Hold-back of an ack that frees a good part of the window. */
const busyAckDelayMs = 2;
/** Hold-back of an ack that frees little: the window is nowhere near full. */
const quietAckDelayMs = 25;
/** An ack of at least this much (or a quarter of the window) is a busy one. */
const busyAckBytes = 64 * 1024;
/** Processes remembered; past this the oldest are forgotten (their acks are then all "busy"). */
const maxRemembered = 4096;

export class AckPacer {
  /** processId -> the host's output window, from the ProcessInfo the transport saw. */
  private readonly windows = new Map<string, number>();
  /** `${processId} ${fd}` -> the offset of the last ack sent. */
  private readonly acked = new Map<string, number>();

  /** Remember a process's output window (from start, get or list). */
  noteWindow(processId: string, outputWindowBytes: number): void {
    this.windows.delete(processId);
    this.windows.set(processId, outputWindowBytes);
    if (this.windows.size > maxRemembered) this.forget(this.windows.keys().next().value as string);
  }

  /** Milliseconds to hold an ack of `offset` back. Unknown window: the short delay, always. */
  delayMs(processId: string, fd: number, offset: number): number {
    const window = this.windows.get(processId);
    if (window === undefined) return busyAckDelayMs;
    const freed = offset - (this.acked.get(`${processId} ${fd}`) ?? 0);
    return freed >= Math.min(busyAckBytes, window / 4) ? busyAckDelayMs : quietAckDelayMs;
  }

  /** Record an ack that was sent. */
  sent(processId: string, fd: number, offset: number): void {
    if (this.windows.has(processId)) this.acked.set(`${processId} ${fd}`, offset);
  }

  /** Forget a process (it exited and its outputs are at EOF). */
  forget(processId: string): void {
    this.windows.delete(processId);
    this.acked.delete(`${processId} 1`);
    this.acked.delete(`${processId} 2`);
  }
}
