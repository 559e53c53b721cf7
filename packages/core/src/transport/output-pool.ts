/**
 * OutputPool: bytes a host lends to its output windows past their own `windowBytes`, shared by
 * every stream of the host. A window only borrows while a reader reads it, up to its burst size,
 * and repays once its reader has caught up to within its own window (or when it is discarded).
 *
 * Why: a reader on the other side of a network keeps output flowing only if the bytes in flight
 * (the host's queue, the sockets, the client's buffers, the acknowledgement coming back) fit in
 * the window. A 1 MiB window is enough to bound a host with hundreds of processes, and too small
 * to keep one fast stream busy; the pool gives the few streams being read at full speed a larger
 * window while the host's total stays bounded by `windows + pool`.
 */
export class OutputPool {
  /** The most bytes lent at once, across every window. */
  readonly capacityBytes: number;
  #lent = 0;

  constructor(capacityBytes: number) {
    if (!Number.isSafeInteger(capacityBytes) || capacityBytes < 0) {
      throw new RangeError(`the output pool's capacity must be a non-negative integer, got ${capacityBytes}`);
    }
    this.capacityBytes = capacityBytes;
  }

  /** Bytes lent now. */
  get lentBytes(): number {
    return this.#lent;
  }

  /** Lends up to `bytes` (what is free, maybe 0) and returns how many it lent. */
  lend(bytes: number): number {
    const granted = Math.max(0, Math.min(bytes, this.capacityBytes - this.#lent));
    this.#lent += granted;
    return granted;
  }

  /** Takes back `bytes` lent earlier. */
  repay(bytes: number): void {
    this.#lent = Math.max(0, this.#lent - bytes);
  }
}
