/**
 * The user API's types: what `createClient(transport).exec(argv, options)` returns.
 * Names follow Modal's `ContainerProcess`; semantics are in docs/SEMANTICS.md.
 */
import type { ExitStatus, ProcessInfo, TerminalSize } from './transport/contract.js';
import type { SignalName } from './signal-name.js';

/** What happens to an output stream. */
export const StreamType = {
  /** The stream is kept for reading through `process.stdout` / `process.stderr` (default). */
  PIPE: 'pipe',
  /** The host discards the stream; it never crosses the wire. Reading it is an error. */
  DEVNULL: 'devnull',
  /** The client copies the stream to its own standard output as it arrives. Reading it is an error. */
  STDOUT: 'stdout',
} as const;

/** A value of {@link StreamType}. */
export type StreamType = (typeof StreamType)[keyof typeof StreamType];

/** Terminal options for `exec(argv, { pty })`. */
export interface PtyOptions {
  /** Columns; default 80. */
  readonly cols?: number;
  /** Rows; default 24. */
  readonly rows?: number;
  /** `TERM` for the process; default `'xterm-256color'`. */
  readonly term?: string;
}

/** Options of `exec`. Every option is optional. */
export interface ExecOptions {
  /** Working directory on the host; must exist there. */
  readonly cwd?: string;
  /** Environment entries merged over the host's base environment; `undefined` removes a key. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** What happens to stdout; default `StreamType.PIPE`. */
  readonly stdout?: StreamType;
  /** What happens to stderr; default `StreamType.PIPE`. */
  readonly stderr?: StreamType;
  /**
   * `true` (default): readers yield `string`s decoded as UTF-8 (a character split across chunks
   * stays whole; invalid bytes become U+FFFD). `false`: readers yield `Uint8Array`s.
   */
  readonly text?: boolean;
  /** Text only: readers yield whole lines, each keeping its `\n`, and a last partial line at EOF. */
  readonly byLine?: boolean;
  /** Run in a pseudo-terminal (`true` = 80x24, `xterm-256color`). stderr is merged into stdout. */
  readonly pty?: boolean | PtyOptions;
  /**
   * Kill the process group after this many milliseconds; `wait()` then rejects with a
   * `timeout` error carrying the exit code.
   */
  readonly timeoutMs?: number;
  /** Aborting kills the process (SIGKILL to its group); `wait()` rejects with `aborted`. */
  readonly signal?: AbortSignal;
  /** Choose the process id yourself (for idempotent retries across restarts of your own code). */
  readonly processId?: string;
}

/** `exec` options that make readers yield strings (whole lines with `byLine: true`). */
export type TextExecOptions = ExecOptions & { readonly text?: true };
/** `exec` options that make readers yield bytes; `byLine` needs text, so it is refused here. */
export type BytesExecOptions = ExecOptions & { readonly text: false; readonly byLine?: false };

/** `get` options that make readers yield strings. */
export type TextGetOptions = GetOptions & { readonly text?: true };
/** `get` options that make readers yield bytes; `byLine` needs text, so it is refused here. */
export type BytesGetOptions = GetOptions & { readonly text: false; readonly byLine?: false };

/**
 * What the host knows of a process, as `client.list()` and `process.info()` give it. `id` is the
 * handle's `id`. Times (`startedAt`, `exitedAt`) are milliseconds since the epoch (`ps --json`
 * prints them as ISO 8601 strings).
 */
export interface ProcessDetails extends Omit<ProcessInfo, 'processId'> {
  /** The process id: `exec`'s handle has it as `id`; pass it to `client.get(id)`. */
  readonly id: string;
}

/** Options of `client.get(processId, options)`: how to read a process you re-attach to. */
export interface GetOptions {
  /** As in `exec`: strings (default) or bytes. */
  readonly text?: boolean;
  /** As in `exec`. */
  readonly byLine?: boolean;
  /**
   * Start the readers at the output the host still keeps (`OutputStreamInfo.replayFrom`: the
   * recent screen of a shell, say) instead of after what was consumed. Default false. Hosts keep
   * such a tail only when configured to (`localTransport({ replayBytes })`, `procwire-server
   * --replay-bytes`); from others the readers start where they would without it.
   */
  readonly replay?: boolean;
}

/**
 * Reads one output stream. It has one consumer: iterate it, `read()` it, or convert it, once; a
 * second consumer gets a `stream_consumed` error. Reading a `DEVNULL` or `STDOUT` stream is an
 * `invalid_argument` error.
 */
export interface StreamReader<T extends string | Uint8Array> extends AsyncIterable<T> {
  /** 1 for stdout, 2 for stderr. */
  readonly fileDescriptor: 1 | 2;
  /** Everything to EOF, as one string or one `Uint8Array`. */
  read(): Promise<T>;
  /** The stream as a web `ReadableStream` (pull-based: backpressure reaches the process). */
  toReadableStream(): ReadableStream<T>;
}

/**
 * Writes the process's stdin. `write` buffers synchronously and sends in the background; `drain`
 * waits until the host has accepted everything written (EOF included).
 */
export interface StreamWriter {
  /**
   * Buffer `data` for the process (strings are encoded as UTF-8). Throws `failed_precondition`
   * after `writeEof()`, and `resource_exhausted` when the unsent buffer would pass its bound
   * (await `drain()` between large writes).
   */
  write(data: string | Uint8Array): void;
  /** Bytes written but not yet accepted by the host (what `drain()` waits for). */
  readonly bufferedBytes: number;
  /** Close stdin after everything written so far. Idempotent. */
  writeEof(): void;
  /** Resolves when the host has accepted everything written so far, EOF included. */
  drain(): Promise<void>;
  /** The writer as a web `WritableStream` (its `close()` sends EOF). */
  toWritableStream(): WritableStream<string | Uint8Array>;
}

/**
 * A terminal for `attach()`: the Node TTY implementation is in `@procwire/core/node`, the browser
 * page adapts xterm.js. Everything is in bytes.
 */
export interface Terminal {
  /** The current size, or `undefined` when unknown. */
  readonly size: TerminalSize | undefined;
  /**
   * Enter raw mode (no echo, no line editing, no signals from keys), or leave it. `passOutput`:
   * the process has a terminal of its own, which already turned its newlines into what it wanted,
   * so write its output as it is, with no newline translation here (as ssh and `docker exec -t`
   * do); `attach()` asks for it when the process runs in a pty.
   */
  setRawMode(raw: boolean, passOutput?: boolean): void;
  /** Keystrokes, until the terminal closes. */
  input(): AsyncIterable<Uint8Array>;
  /** Show output; resolves when the terminal has taken it (backpressure). */
  write(data: Uint8Array): Promise<void> | void;
  /** Subscribe to size changes; returns an unsubscribe function. */
  onResize(listener: (size: TerminalSize) => void): () => void;
  /** Stop reading input and release everything `attach()` took. */
  close?(): void;
}

/** Options of `attach()`. */
export interface AttachOptions {
  /** The terminal to connect. Node: `nodeTerminal()` from `@procwire/core/node`. */
  readonly terminal: Terminal;
  /** Ends the attachment (the process keeps running); `attach()` then rejects with `aborted`. */
  readonly signal?: AbortSignal;
}

/** A process started by `exec` or re-attached by `get`. */
export interface ContainerProcess<T extends string | Uint8Array = string> {
  /** The process id; pass it to `client.get(id)` to re-attach from elsewhere. */
  readonly id: string;
  readonly stdout: StreamReader<T>;
  readonly stderr: StreamReader<T>;
  readonly stdin: StreamWriter;
  /** The exit code; throws `failed_precondition` while the process runs (as Modal does). */
  readonly returncode: number;
  /** The exit code if the process has exited, else `null`. */
  poll(): Promise<number | null>;
  /**
   * The exit code once the process has exited and its output reached EOF. Rejects with a
   * `timeout` error (carrying `exitCode`) when `timeoutMs` killed it, `aborted` when the exec's
   * signal did.
   */
  wait(): Promise<number>;
  /** The full exit status (code, signal name, timedOut) once exited. */
  waitStatus(): Promise<ExitStatus>;
  /** Send a signal to the process group; default `'SIGTERM'` (others: {@link SignalName}). */
  kill(signal?: SignalName): Promise<void>;
  /** Resize the process's terminal. */
  resize(size: TerminalSize): Promise<void>;
  /** Connect a terminal; resolves with the exit code. */
  attach(options: AttachOptions): Promise<number>;
  /** What the host knows of the process now. */
  info(): Promise<ProcessDetails>;
  /** Kills the process if it still runs, and releases the handle. */
  [Symbol.asyncDispose](): Promise<void>;
}

/** Options of `createClient`. */
export interface ClientOptions {
  /**
   * How long to keep retrying a transient (`unavailable`) failure before giving up, in
   * milliseconds; default 30 000. Retries back off exponentially from 50 ms to 2 s, with jitter.
   */
  readonly retryTimeoutMs?: number;
  /** Where `StreamType.STDOUT` output goes; default the host program's standard output. */
  readonly stdoutSink?: (data: Uint8Array) => void | Promise<void>;
  /**
   * Called before each retry of a transient failure (for logs). An error it throws ends the
   * retries: the call rejects with that error (to give up sooner than `retryTimeoutMs`).
   */
  readonly onRetry?: (error: unknown, attempt: number) => void;
}

/** The entry point: `createClient(transport)`. */
export interface Client {
  /** Start a process. Readers yield strings unless `text: false`. */
  exec(argv: readonly string[], options?: TextExecOptions): Promise<ContainerProcess<string>>;
  exec(argv: readonly string[], options: BytesExecOptions): Promise<ContainerProcess<Uint8Array>>;
  /** `text` known only at run time: narrow the result yourself. */
  exec(
    argv: readonly string[],
    options: ExecOptions & { readonly text: boolean; readonly byLine?: false },
  ): Promise<ContainerProcess<string> | ContainerProcess<Uint8Array>>;
  /**
   * Re-attach to a running or retained process by id; its output continues where it was
   * acknowledged (or, with `replay: true`, at the start of the host's replay tail).
   */
  get(processId: string, options?: TextGetOptions): Promise<ContainerProcess<string>>;
  get(processId: string, options: BytesGetOptions): Promise<ContainerProcess<Uint8Array>>;
  /** The caller's processes on the host; each item's `id` is what a handle's `id` is. */
  list(): Promise<ProcessDetails[]>;
  /** Close the transport. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}
