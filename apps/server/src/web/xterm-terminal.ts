/**
 * core's `Terminal` interface over an xterm.js terminal, so the browser page drives a process with
 * the same `attach()` as the Node CLI.
 */
import type { Terminal, TerminalSize } from '@procwire/core';
import type { Terminal as XTerm } from '@xterm/xterm';

/** A core `Terminal` backed by `xterm`. `close()` ends its input. */
export function xtermTerminal(xterm: XTerm): Terminal & { close(): void } {
  const encoder = new TextEncoder();
  const pending: Uint8Array[] = [];
  let wake: (() => void) | undefined;
  let closed = false;
  const push = (bytes: Uint8Array): void => {
    if (closed) return;
    pending.push(bytes);
    wake?.();
  };
  const subscriptions = [
    xterm.onData((data) => push(encoder.encode(data))),
    // onBinary carries bytes as a latin1 string (mouse reports in some modes).
    xterm.onBinary((data) => push(Uint8Array.from(data, (character) => character.charCodeAt(0) & 0xff))),
  ];

  return {
    get size(): TerminalSize {
      return { cols: xterm.cols, rows: xterm.rows };
    },
    // xterm.js has no line discipline: it is always "raw", the remote pty does the rest.
    setRawMode() {},
    async *input() {
      while (true) {
        const next = pending.shift();
        if (next !== undefined) {
          yield next;
          continue;
        }
        if (closed) return;
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
      }
    },
    write(data) {
      // Resolves once xterm has parsed the data: the backpressure that keeps a flood from piling up.
      return new Promise<void>((resolve) => xterm.write(data, resolve));
    },
    onResize(listener) {
      const subscription = xterm.onResize(({ cols, rows }) => listener({ cols, rows }));
      return () => subscription.dispose();
    },
    close() {
      closed = true;
      for (const subscription of subscriptions) subscription.dispose();
      wake?.();
    },
  };
}
