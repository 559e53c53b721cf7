/**
 * Turns a stream of events into at most one log line per interval: the first event is logged at
 * once, later ones are counted and logged together when the interval ends. Repeated refusals
 * (an attacker guessing tokens) then cost a line every few seconds, not a line each.
 */
export class RateLimitedLog {
  readonly #intervalMs: number;
  readonly #write: (count: number) => void;
  #unlogged = 0;
  #timer: NodeJS.Timeout | undefined;

  /** `write(count)` logs `count` events (those since the last line). */
  constructor(intervalMs: number, write: (count: number) => void) {
    this.#intervalMs = intervalMs;
    this.#write = write;
  }

  /** One event. */
  record(): void {
    if (this.#timer !== undefined) {
      this.#unlogged++;
      return;
    }
    this.#write(1);
    this.#startInterval();
  }

  /** Logs what is counted now and stops the timer (on shutdown). */
  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#unlogged > 0) this.#write(this.#unlogged);
    this.#unlogged = 0;
  }

  #startInterval(): void {
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (this.#unlogged === 0) return;
      this.#write(this.#unlogged);
      this.#unlogged = 0;
      this.#startInterval();
    }, this.#intervalMs);
    this.#timer.unref();
  }
}
