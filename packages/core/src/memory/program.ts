/**
 * Scripted fake processes for `memoryTransport()`: a program is an async function standing in for
 * an executable. The memory host gives it the same offsets, windows and exit rules as a real host,
 * so code tested against it behaves the same against `localTransport()`.
 */
import type { ExitStatus, PtySettings, SignalName, TerminalSize } from '../transport/contract.js';

/** An output stream of a fake process. */
export interface MemoryProgramOutput {
  /**
   * Write output. Resolves when the host's window has room again, so a program that awaits its
   * writes is paused by a slow reader, exactly like a real process blocked on a full pipe.
   * Writing after the process ended, or after `close()`, is ignored.
   */
  write(data: string | Uint8Array): Promise<void>;
  /** Close the stream early (EOF); the program may keep running. */
  close(): void;
}

/** What a fake process sees. */
export interface MemoryProgramContext {
  readonly argv: readonly string[];
  /** The base environment merged with `exec`'s `env`. */
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  /** The terminal, when started with `pty`. */
  readonly pty: PtySettings | undefined;
  /** The current terminal size (changes on `resize`). */
  readonly size: TerminalSize | undefined;
  readonly stdout: MemoryProgramOutput;
  /** In pty mode this writes to stdout (merged, as a terminal does). */
  readonly stderr: MemoryProgramOutput;
  /** stdin, chunk by chunk, until EOF. */
  readonly stdin: AsyncIterable<Uint8Array>;
  /** Aborted when the process is killed; a program should stop soon after. */
  readonly killed: AbortSignal;
  /**
   * Handle a signal instead of dying of it (SIGKILL cannot be handled). Without a handler, a
   * signal ends the process with `128 + n`, as a default disposition does.
   */
  onSignal(handler: (signal: SignalName) => void): void;
  /** Called on each resize. */
  onResize(handler: (size: TerminalSize) => void): void;
}

/**
 * A fake executable. Resolve with the exit code (or a full status); throwing ends the process
 * with code 1 and the error message on stderr.
 */
export type MemoryProgram = (context: MemoryProgramContext) => Promise<number | ExitStatus> | number | ExitStatus;
