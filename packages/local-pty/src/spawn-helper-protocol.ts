/**
 * The messages between the host and its spawn helper (`spawn-helper-main.ts`), over the IPC channel
 * of `child_process.fork`. Only Node built-ins and plain data: the helper loads nothing else.
 */

/** Host -> helper: spawn this command (argv array, never a shell) in its own process group. */
export interface SpawnCommand {
  readonly type: 'spawn';
  /** Chosen by the host; every answer about this launch carries it. */
  readonly launchId: number;
  readonly file: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  /** Which of stdout and stderr are pipes (the others go to /dev/null); stdin is always a pipe. */
  readonly pipeStdout: boolean;
  readonly pipeStderr: boolean;
  readonly uid?: number;
  readonly gid?: number;
}

/** Helper -> host: the spawn failed; `code` is the errno name (ENOENT, EACCES, ...). */
export interface SpawnFailed {
  readonly type: 'failed';
  readonly launchId: number;
  readonly code: string | undefined;
  readonly message: string;
}

/**
 * Helper -> host: the child runs. Its pipes follow, one `stream` message each (Node passes one
 * handle per message), for the fds listed in `fds`.
 */
export interface SpawnStarted {
  readonly type: 'started';
  readonly launchId: number;
  readonly pid: number;
  readonly fds: readonly StdioFd[];
}

/** Helper -> host: the pipe of `fd`, sent with the message as its handle. */
export interface SpawnStream {
  readonly type: 'stream';
  readonly launchId: number;
  readonly fd: StdioFd;
}

/**
 * Helper -> host: the leader exited. It may overtake `stream` messages (Node queues only the
 * messages that carry a handle), so the host applies it once every pipe has arrived.
 */
export interface SpawnExited {
  readonly type: 'exit';
  readonly launchId: number;
  readonly code: number | null;
  readonly signal: string | null;
}

export type StdioFd = 0 | 1 | 2;

/** Every message the helper sends. */
export type HelperMessage = SpawnFailed | SpawnStarted | SpawnStream | SpawnExited;
