// A scriptable Terminal for attach() tests (a helper: not a test file itself).
import type { Terminal, TerminalSize } from '@procwire/core';

export class FakeTerminal implements Terminal {
  size: TerminalSize | undefined;
  readonly rawModes: boolean[] = [];
  readonly listeners = new Set<(size: TerminalSize) => void>();
  closed = false;
  private readonly output: Uint8Array[] = [];
  private readonly keys: Uint8Array[] = [];
  private inputEnded = false;
  private wake: (() => void) | undefined;
  private outputWaiters: Array<() => void> = [];

  constructor(size?: TerminalSize) {
    this.size = size;
  }

  get isRaw(): boolean {
    return this.rawModes.at(-1) === true;
  }

  /** Everything shown so far, decoded. */
  get screen(): string {
    return new TextDecoder().decode(Buffer.concat(this.output));
  }

  setRawMode(raw: boolean): void {
    this.rawModes.push(raw);
  }

  type(text: string): void {
    this.keys.push(new TextEncoder().encode(text));
    this.wake?.();
  }

  endInput(): void {
    this.inputEnded = true;
    this.wake?.();
  }

  resizeTo(size: TerminalSize): void {
    this.size = size;
    for (const listener of this.listeners) listener(size);
  }

  async *input(): AsyncGenerator<Uint8Array> {
    for (;;) {
      const next = this.keys.shift();
      if (next !== undefined) {
        yield next;
        continue;
      }
      if (this.inputEnded || this.closed) return;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
  }

  async write(data: Uint8Array): Promise<void> {
    this.output.push(data.slice());
    for (const resolve of this.outputWaiters.splice(0)) resolve();
  }

  onResize(listener: (size: TerminalSize) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    this.closed = true;
    this.wake?.();
  }

  /** Resolves once the screen shows `text` (bounded). */
  async shows(text: string, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.screen.includes(text)) {
      if (Date.now() > deadline) throw new Error(`terminal never showed ${JSON.stringify(text)}; it shows ${JSON.stringify(this.screen)}`);
      await new Promise<void>((resolve) => {
        this.outputWaiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  }
}
