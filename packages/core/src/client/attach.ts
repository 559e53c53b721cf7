/**
 * `attach()`: connects a {@link Terminal} to a process: raw mode, keystrokes to stdin, output to
 * the terminal (awaiting each write, so a slow terminal slows the process), resizes to the
 * process, and the terminal restored on every way out.
 */
import type { AttachOptions, StreamWriter, Terminal } from '../api.js';
import type { TerminalSize } from '../transport/contract.js';
import type { OutputReader } from './output-reader.js';
import type { RemoteProcess } from './remote-process.js';
import { abortError } from './retry.js';

/** Keystrokes past this many unsent bytes wait for a drain (a huge paste). */
const INPUT_HIGH_WATER_BYTES = 1024 * 1024;

/** Runs an attachment until the process exits (resolves with its code) or `signal` fires. */
export async function attachTerminal<T extends string | Uint8Array>(
  process: RemoteProcess<T>,
  options: AttachOptions,
): Promise<number> {
  const { terminal, signal } = options;
  if (signal?.aborted) throw abortError(signal, 'attach() was aborted before it started');
  // A pty merges stderr into stdout; otherwise both streams go to the terminal.
  const readers: OutputReader<T>[] = [process.stdout];
  if (!process.hasPty) readers.push(process.stderr);
  const stop = new AbortController();
  // Claim the streams first: if one is already consumed, fail before touching the terminal.
  const outputs = readers.filter((reader) => reader.readable).map((reader) => reader.consumeBytes('attach()', stop.signal));
  const onAbort = () => stop.abort(abortError(signal!, 'attach() was aborted; the process keeps running'));
  signal?.addEventListener('abort', onAbort, { once: true });
  let unsubscribe = () => {};
  terminal.setRawMode(true, process.hasPty);
  try {
    const resizeTo = (size: TerminalSize) =>
      process.resize(size).catch(() => {
        // No pty (failed_precondition) or the process already ended: a resize has nothing to do.
      });
    if (terminal.size !== undefined) await resizeTo(terminal.size);
    unsubscribe = terminal.onResize((size) => void resizeTo(size));
    void forwardInput(terminal, process.stdin, stop.signal);
    await untilAborted(Promise.all(outputs.map((output) => forwardOutput(output, terminal))), stop.signal);
    return await untilAborted(process.wait(), stop.signal);
  } finally {
    stop.abort();
    signal?.removeEventListener('abort', onAbort);
    unsubscribe();
    terminal.setRawMode(false);
    terminal.close?.();
  }
}

async function forwardOutput(output: AsyncIterable<Uint8Array>, terminal: Terminal): Promise<void> {
  for await (const data of output) await terminal.write(data);
}

/** Keystrokes to stdin until `stop` fires; the end of the terminal's input closes stdin. */
async function forwardInput(terminal: Terminal, stdin: StreamWriter & { readonly bufferedBytes: number }, stop: AbortSignal) {
  const iterator = terminal.input()[Symbol.asyncIterator]();
  const stopped = new Promise<IteratorResult<Uint8Array>>((resolve) => {
    if (stop.aborted) resolve({ done: true, value: undefined });
    stop.addEventListener('abort', () => resolve({ done: true, value: undefined }), { once: true });
  });
  try {
    for (;;) {
      const pending = iterator.next();
      pending.catch(() => {});
      const next = await Promise.race([pending, stopped]);
      if (stop.aborted) return;
      if (next.done === true) {
        stdin.writeEof();
        return;
      }
      stdin.write(next.value);
      if (stdin.bufferedBytes > INPUT_HIGH_WATER_BYTES) await stdin.drain();
    }
  } catch {
    // stdin is closed (the process ended or EOF was sent) or the terminal failed: stop forwarding.
  } finally {
    iterator.return?.()?.catch(() => {});
  }
}

/** `promise`, or an `aborted` rejection as soon as `signal` fires. */
function untilAborted<V>(promise: Promise<V>, signal: AbortSignal): Promise<V> {
  promise.catch(() => {});
  if (signal.aborted) return Promise.reject(abortError(signal));
  return new Promise<V>((resolve, reject) => {
    const onAbort = () => reject(abortError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
