/**
 * `nodeTerminal()`: the {@link Terminal} of this Node process (its stdin and stdout), for
 * `attach()`. Raw mode only when stdin is a TTY; resizes come from the TTY's 'resize' event
 * (which Node raises on SIGWINCH); `close()` puts everything back as it was.
 */
import { spawnSync } from 'node:child_process';
import { fstatSync } from 'node:fs';
import type { Terminal } from '../api.js';
import type { TerminalSize } from '../transport/contract.js';

/** The input side: `process.stdin`, or any readable stream (a TTY adds raw mode). */
export interface TerminalInput extends NodeJS.ReadableStream {
  readonly isTTY?: boolean;
  readonly isRaw?: boolean;
  readonly fd?: number;
  setRawMode?(mode: boolean): unknown;
}

/** The output side: `process.stdout`, or any writable stream (a TTY adds its size). */
export interface TerminalOutput extends NodeJS.WritableStream {
  readonly columns?: number;
  readonly rows?: number;
  readonly isTTY?: boolean;
  readonly fd?: number;
}

/** Options of {@link nodeTerminal}. */
export interface NodeTerminalOptions {
  /** Default `process.stdin`. */
  readonly input?: TerminalInput;
  /** Default `process.stdout`. */
  readonly output?: TerminalOutput;
}

/** A {@link Terminal} whose `close()` is always there. */
export interface NodeTerminal extends Terminal {
  close(): void;
}

/** Input chunks queued before the input stream is paused (a large paste or piped file). */
const MAX_QUEUED_INPUT_CHUNKS = 64;

/** The terminal of this Node process (or of the streams given), for `attach()`. */
export function nodeTerminal(options: NodeTerminalOptions = {}): NodeTerminal {
  const input = options.input ?? (process.stdin as TerminalInput);
  const output = options.output ?? (process.stdout as TerminalOutput);
  const wasRaw = input.isRaw === true;
  const resizeListeners = new Set<() => void>();
  let closed = false;
  let wakeInput: (() => void) | undefined;

  const size = (): TerminalSize | undefined =>
    output.columns !== undefined && output.rows !== undefined && output.columns > 0 && output.rows > 0
      ? { cols: output.columns, rows: output.rows }
      : undefined;

  return {
    get size() {
      return size();
    },
    setRawMode(raw, passOutput = false) {
      if (input.isTTY === true && typeof input.setRawMode === 'function') {
        input.setRawMode(raw || wasRaw);
        if (raw && passOutput && !wasRaw) passOutputThrough(input, output);
      }
    },
    async *input() {
      const queue: Uint8Array[] = [];
      let ended = false;
      const onData = (data: Buffer | string) => {
        queue.push(typeof data === 'string' ? Buffer.from(data) : data);
        if (queue.length >= MAX_QUEUED_INPUT_CHUNKS) input.pause();
        wakeInput?.();
      };
      const onEnd = () => {
        ended = true;
        wakeInput?.();
      };
      input.on('data', onData);
      input.on('end', onEnd);
      input.on('close', onEnd);
      input.resume();
      try {
        for (;;) {
          const next = queue.shift();
          if (next !== undefined) {
            if (queue.length < MAX_QUEUED_INPUT_CHUNKS / 2 && !closed) input.resume();
            yield next;
            continue;
          }
          if (ended || closed) return;
          await new Promise<void>((resolve) => {
            wakeInput = resolve;
          });
          wakeInput = undefined;
        }
      } finally {
        input.off('data', onData);
        input.off('end', onEnd);
        input.off('close', onEnd);
        input.pause();
      }
    },
    async write(data) {
      if (output.write(data)) return;
      await new Promise<void>((resolve) => output.once('drain', resolve));
    },
    onResize(listener) {
      const onResize = () => {
        const current = size();
        if (current !== undefined) listener(current);
      };
      output.on('resize', onResize);
      resizeListeners.add(onResize);
      return () => {
        output.off('resize', onResize);
        resizeListeners.delete(onResize);
      };
    },
    close() {
      if (closed) return;
      closed = true;
      if (input.isTTY === true && typeof input.setRawMode === 'function') input.setRawMode(wasRaw);
      for (const onResize of resizeListeners) output.off('resize', onResize);
      resizeListeners.clear();
      input.pause();
      wakeInput?.();
    },
  };
}

/**
 * Node's raw mode (libuv's) is raw for input only: the terminal still turns each "\n" written to
 * it into "\r\n" (OPOST). A remote terminal already did that for its program, so a program that
 * turned it off there (vim, less, curses) and moves down a line with a bare "\n" would see its
 * cursor jump to column 0 here. ssh and `docker exec -t` pass such output through untouched; so
 * does this, with `stty -opost` on the output's terminal, once raw mode has saved the settings that
 * leaving it (`setRawMode(false)`, or Node at exit) restores. Only when the output is the input's
 * terminal (else leaving raw mode would not restore it); without `stty`, output stays translated.
 */
function passOutputThrough(input: TerminalInput, output: TerminalOutput): void {
  if (output.isTTY !== true || typeof input.fd !== 'number' || typeof output.fd !== 'number') return;
  try {
    if (fstatSync(input.fd).rdev !== fstatSync(output.fd).rdev) return;
    spawnSync('stty', ['-opost'], { stdio: [output.fd, 'ignore', 'ignore'], timeout: 2000 });
  } catch {
    // No terminal to stat: output stays as the terminal translates it.
  }
}
