/**
 * The fixtures the suite runs, as an interface: each method returns the argv of a command that
 * behaves exactly as its JSDoc says. `posixCommands` implements it for a real host,
 * `memoryCommands` (with `memoryPrograms`) for core's `memoryTransport`. A transport whose host is
 * not POSIX writes its own: only the behaviour described here matters, not the commands used.
 */
export interface ConformanceCommands {
  /** Writes `stdout` to stdout, then `stderr` to stderr (no newline added), and exits 0. */
  echoBoth(stdout: string, stderr: string): string[];
  /**
   * For i = 1..count: writes the line `out <i>\n` to stdout, then `err <i>\n` to stderr. Exits 0.
   */
  interleave(count: number): string[];
  /** Exits with `code` (0..255) and writes nothing. */
  exitWith(code: number): string[];
  /** Copies stdin to stdout until EOF, then exits 0 (`cat`). */
  cat(): string[];
  /**
   * Writes the first `length` bytes of the sequence pattern (`patternBytes`: the decimal numbers
   * 1, 2, 3, ... each followed by `\n`) to stdout, then exits 0.
   */
  writeBytes(length: number): string[];
  /**
   * Writes the UTF-8 bytes of `splitUtf8Text` in the pieces of `splitUtf8Pieces` (which cut
   * characters in two), pausing about 50 ms between pieces so they arrive as separate chunks.
   * Exits 0.
   */
  writeSplitUtf8(): string[];
  /** Writes the bytes of `invalidUtf8Bytes` (invalid and truncated UTF-8) to stdout. Exits 0. */
  writeInvalidUtf8(): string[];
  /**
   * Writes `alpha\nbeta\ngamma` (and a final `\n` when `finalNewline`) in pieces cut inside lines
   * (`linePieces`), pausing about 50 ms between pieces. Exits 0.
   */
  writeLines(finalNewline: boolean): string[];
  /** Sleeps `seconds`, writes nothing, exits 0; the default disposition of every signal. */
  sleep(seconds: number): string[];
  /** Writes the value of the environment variable `name` and `\n`, or `<unset>\n` when it is not set. */
  printEnv(name: string): string[];
  /** Writes its working directory (physical, no symlinks) and `\n`. */
  printCwd(): string[];
  /**
   * Ignores SIGTERM (it and its children), writes `ready\n` once it does, then runs until killed
   * (so only SIGKILL ends it: exit 137).
   */
  ignoreTerm(): string[];
  /**
   * Starts a child process that outlives a kill of this process alone (it dies only when the
   * process group is killed), writes the child's pid and `\n`, then waits for the child.
   */
  spawnGroup(): string[];
  /** Exits 0 if process `pid` (from `spawnGroup`) is alive (not a zombie), 1 if it is gone. */
  processAlive(pid: string): string[];
  /** Writes `tty\n` when both stdin and stdout are terminals, else `notty\n`. Exits 0. */
  isatty(): string[];
  /**
   * Writes the terminal size as `<rows> <cols>\n` (what `stty size` prints), then reads stdin line
   * by line: on the line `exit` it exits 0, on any other line it writes the (current) size again.
   */
  terminalSize(): string[];
  /** A command that does not exist on the host; its argv[0] must appear in the `not_found` message. */
  unknownCommand(): string[];
}
