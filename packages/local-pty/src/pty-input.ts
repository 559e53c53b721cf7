/**
 * PtyInput: writes stdin bytes to a terminal's master fd, in order, with backpressure.
 *
 * node-pty's own writer keeps a queue that outlives the terminal: after the fd is closed it goes
 * on writing to the fd *number*, which the OS may already have given to another terminal — one
 * process's input would reach another's. This writer stops with the terminal, and the terminal's
 * fd is closed only once no write is in flight (see `close`). It also retries EAGAIN on a timer
 * instead of spinning on setImmediate, and tells how many bytes wait (for backpressure).
 */
import { writeSync } from 'node:fs';

/** How long to wait before retrying when the terminal's input buffer is full. */
const RETRY_MS = 2;

export class PtyInput {
  private readonly queue: Uint8Array[] = [];
  private headOffset = 0;
  private queued = 0;
  private inFlight = false;
  private closed = false;
  private retry: ReturnType<typeof setTimeout> | undefined;
  private afterWrite: Array<() => void> = [];
  private waiters: Array<() => void> = [];

  constructor(private readonly fd: number) {}

  /** Bytes accepted but not yet written to the terminal. */
  get queuedBytes(): number {
    return this.queued;
  }

  /** Queue bytes for the terminal; ignored once closed. */
  write(data: Uint8Array): void {
    if (this.closed || data.byteLength === 0) return;
    this.queue.push(data);
    this.queued += data.byteLength;
    this.pump();
  }

  /** Resolves once at most `bytes` wait to be written, or the terminal is gone. */
  whenBelow(bytes: number): Promise<void> {
    if (this.closed || this.queued <= bytes) return Promise.resolve();
    return new Promise((resolve) => {
      const check = () => {
        if (this.closed || this.queued <= bytes) resolve();
        else this.waiters.push(check);
      };
      this.waiters.push(check);
    });
  }

  /** Drop what is queued and accept no more (the fd stays open). */
  discard(): void {
    this.stop();
  }

  /** Drop what is queued and run `then` (which closes the fd) once no write is in flight. */
  close(then: () => void): void {
    this.stop();
    if (this.inFlight) this.afterWrite.push(then);
    else then();
  }

  private stop(): void {
    this.closed = true;
    this.queue.length = 0;
    this.queued = 0;
    clearTimeout(this.retry);
    this.notify();
  }

  private pump(): void {
    if (this.closed || this.inFlight || this.retry !== undefined) return;
    // Written on the event loop: the fd is non-blocking, so a write takes what the terminal has
    // room for and never waits. (fs.write went through the threadpool, whose thread a busy 2-core
    // host schedules milliseconds late: that was most of the echo latency's p99.)
    this.inFlight = true;
    try {
      while (!this.closed && this.queue.length > 0) {
        const chunk = this.queue[0]!;
        let written: number;
        try {
          written = writeSync(this.fd, chunk, this.headOffset, chunk.byteLength - this.headOffset);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'EAGAIN') {
            // The terminal's input buffer is full: try again shortly.
            this.retry = setTimeout(() => {
              this.retry = undefined;
              this.pump();
            }, RETRY_MS);
            this.retry.unref();
          } else {
            // EIO: the process side of the terminal is gone; its input is discarded.
            this.stop();
          }
          return;
        }
        this.headOffset += written;
        this.queued -= written;
        if (this.headOffset >= chunk.byteLength) {
          this.queue.shift();
          this.headOffset = 0;
        }
      }
    } finally {
      this.inFlight = false;
      for (const run of this.afterWrite.splice(0)) run();
      this.notify();
    }
  }

  private notify(): void {
    for (const check of this.waiters.splice(0)) check();
  }
}
