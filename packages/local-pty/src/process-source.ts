/**
 * The seam between a hosted process (windows, input cursor, exit rules) and what runs it: a
 * child_process with pipes, or a node-pty terminal.
 */
import type { OutputFd, OutputMode, OutputWindow, PtySettings, TerminalSize } from '@procwire/core/transport';

/** What a source reports to: the two output windows and the leader's end. */
export interface ProcessSink {
  readonly stdout: OutputWindow;
  readonly stderr: OutputWindow;
  /** The leader exited; its exit status may follow later (node-pty reports it only after EOF). */
  leaderGone(): void;
  /** The leader exited with `code`, or by `signal` (a name or a number). */
  leaderExited(code: number | null, signal: string | number | null): void;
}

/** Everything needed to start a process. */
export interface LaunchSpec {
  readonly argv: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  readonly stdout: OutputMode;
  readonly stderr: OutputMode;
  readonly pty?: PtySettings;
  readonly user?: { readonly uid: number; readonly gid: number };
  /** Pipe mode: grow an output's pipe to this capacity once its reader consumed as much (`outputPipeBytes`). */
  readonly outputPipeBytes?: number;
}

/** A started process, seen by the host. */
export interface ProcessSource {
  /** The leader's pid, which is also its process group id. */
  readonly pid: number;
  /**
   * Hand input bytes to the process: `undefined` when they were taken at once (the usual case: a
   * keystroke costs no promise), else a promise that resolves once they sit in a bounded buffer
   * (the child's stdin took them). Input for a process whose stdin is closed is discarded.
   */
  writeInput(data: Uint8Array): Promise<void> | undefined;
  /** End the input: close stdin (pipe) or send the terminal's EOF character (pty). */
  endInput(): void;
  /** The leader exited: drop input not yet taken, so no write waits for a reader that is gone. */
  discardInput(): void;
  /** Resize the terminal; `failed_precondition` without one. */
  resize(size: TerminalSize): void;
  /** Stop / go on reading an output stream (the output window is full / has room). */
  pauseOutput(fd: OutputFd): void;
  resumeOutput(fd: OutputFd): void;
  /** Stop waiting for an output stream that only processes outside the group still hold: end it. */
  abandonOutput(fd: OutputFd): void;
}
