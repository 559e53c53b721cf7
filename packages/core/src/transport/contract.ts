/**
 * The transport contract: the one interface every procwire transport implements.
 *
 * A transport is "a host that runs processes", seen from the caller. `localTransport()` runs them
 * on this machine, `grpcTransport()` / `websocketTransport()` reach a host over the network, and
 * `memoryTransport()` runs scripted fakes in memory. `@procwire/core`'s `ContainerProcess` turns
 * any of them into the user API (decoding, lines, drain, retries, resume), so a transport stays
 * small and mechanical.
 *
 * The one big idea: **every stream is addressed by byte offset.**
 *
 * - Output (stdout = fd 1, stderr = fd 2) is a sequence of bytes numbered from 0. The host keeps
 *   every byte not yet acknowledged, up to a bounded window per stream; when the window is full it
 *   stops reading from the process (the OS pipe fills and the process blocks). Nothing is dropped.
 *   A reader that lost its connection asks again from the offset it has. A host may also keep a
 *   tail of acknowledged output (`OutputStreamInfo.replayFrom`) for readers that start over.
 * - Input (stdin) is addressed the same way: "these bytes start at offset N". The host applies each
 *   byte once: a retried write that overlaps what it has is trimmed, a gap is an error.
 * - Start is idempotent by a client-chosen process id, so a retried start never runs twice.
 * - The exit status is reported only after the host has read both output streams to EOF.
 *
 * Only web-standard types appear here (`AsyncIterable`, `Uint8Array`, `AbortSignal`), so a
 * transport can be written for Node, a browser, or anything else that runs JavaScript.
 *
 * Errors: a transport rejects with a `ProcwireError` (see `../errors.ts`) whose code says what went
 * wrong. `unavailable` means "transient: the same call may succeed later" and is the only code the
 * core retries.
 *
 * @module
 */

/** A file descriptor of an output stream: 1 is stdout, 2 is stderr. */
export type OutputFd = 1 | 2;

/**
 * A POSIX signal name such as `'SIGTERM'`, `'SIGKILL'`, `'SIGINT'`, `'SIGHUP'`, `'SIGUSR1'`.
 * Hosts reject names they do not know with `invalid_argument`.
 */
export type SignalName = `SIG${string}`;

/**
 * What the host does with an output stream.
 * - `'pipe'`: the host keeps it for readers (offset-addressed, windowed).
 * - `'devnull'`: the host discards it; it never crosses the wire, and reading it is
 *   `invalid_argument`.
 */
export type OutputMode = 'pipe' | 'devnull';

/** Terminal settings for a process that runs in a pseudo-terminal. */
export interface PtySettings {
  /** Columns, 1..65535. */
  readonly cols: number;
  /** Rows, 1..65535. */
  readonly rows: number;
  /** The `TERM` value set in the process environment, e.g. `'xterm-256color'`. */
  readonly term: string;
}

/** A terminal size, for `resize`. */
export interface TerminalSize {
  readonly cols: number;
  readonly rows: number;
}

/** Options of every transport call. */
export interface CallOptions {
  /** Abandons the call (never the process): the call rejects with an `aborted` error. */
  readonly signal?: AbortSignal;
  /**
   * The principal on whose behalf the call is made, set by servers from the caller's token.
   * A host that receives a principal isolates processes by it: a process belongs to the principal
   * that started it, and every call naming another principal's process answers `not_found`, exactly
   * as if it did not exist (process ids are per principal). `undefined` is a principal of its own
   * (the local, unauthenticated caller).
   */
  readonly principal?: string;
}

/** Start a process. */
export interface StartRequest {
  /**
   * Chosen by the client, so that a retried start is idempotent: starting an id that already
   * exists (for this principal) returns that process's info and starts nothing. 1..128 characters
   * of `[A-Za-z0-9._:-]`.
   */
  readonly processId: string;
  /** The command and its arguments; never handed to a shell. At least one item, no NUL bytes. */
  readonly argv: readonly string[];
  /** Working directory; must exist on the host. Defaults to the host's choice (documented there). */
  readonly cwd?: string;
  /**
   * Environment entries merged over the host's base environment; a key set to `undefined` removes
   * that key from the base. No NUL bytes, no `=` in keys.
   */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Run in a pseudo-terminal of this size; stderr is then merged into stdout (fd 2 is empty). */
  readonly pty?: PtySettings;
  /** What the host does with stdout. */
  readonly stdout: OutputMode;
  /** What the host does with stderr. */
  readonly stderr: OutputMode;
  /**
   * Kill the process (its whole process group: SIGTERM, then SIGKILL after the host's grace
   * period) this many milliseconds after start. The exit status then has `timedOut: true`.
   */
  readonly timeoutMs?: number;
}

/** How a process ended. */
export interface ExitStatus {
  /** The exit code; for a process ended by a signal, `128 + signal number` (SIGKILL: 137). */
  readonly code: number;
  /** The signal that ended the process, if a signal did. */
  readonly signal?: SignalName;
  /** True when the host killed the process because its `timeoutMs` passed. */
  readonly timedOut?: boolean;
}

/** The host's view of one output stream. */
export interface OutputStreamInfo {
  readonly mode: OutputMode;
  /** Everything before this offset is acknowledged and may be gone from the host. */
  readonly acknowledged: number;
  /** Bytes the process has written so far (the offset just past the last byte). */
  readonly written: number;
  /** True when the process closed the stream: `written` is final. */
  readonly eof: boolean;
  /**
   * The lowest offset a read may start at, when the host keeps a tail of acknowledged output for
   * readers that start over (`client.get(id, { replay: true })`, `procwire attach`). Absent: the
   * host keeps none, and reads start at `acknowledged` or later.
   */
  readonly replayFrom?: number;
}

/** The host's view of the process's stdin. */
export interface InputStreamInfo {
  /** Bytes the host has accepted; the next write must start at or before this offset. */
  readonly offset: number;
  /** True once EOF was accepted. */
  readonly eof: boolean;
}

/** What a host knows of a process: returned by `start`, `get` and `list`. */
export interface ProcessInfo {
  readonly processId: string;
  readonly argv: readonly string[];
  readonly cwd?: string;
  /** The OS process id on the host, where there is one. */
  readonly pid?: number;
  /** The terminal settings, when the process runs in a pty. */
  readonly pty?: PtySettings;
  readonly state: 'running' | 'exited';
  /** Present once `state` is `'exited'` (and so both output streams reached EOF). */
  readonly exit?: ExitStatus;
  /** Milliseconds since the epoch. */
  readonly startedAt: number;
  readonly exitedAt?: number;
  /**
   * True while other members of the process's group still run after its leader exited (a
   * background job, a daemon that did not leave the group): the host still counts the process
   * against its limits and `signal` reaches them. Absent or false otherwise; hosts that cannot
   * tell omit it.
   */
  readonly groupRunning?: boolean;
  readonly stdout: OutputStreamInfo;
  readonly stderr: OutputStreamInfo;
  readonly stdin: InputStreamInfo;
  /** The most unacknowledged output bytes the host keeps per stream before it pauses the process. */
  readonly outputWindowBytes: number;
}

/** One piece of output, with the offset of its first byte. Chunks are never empty. */
export interface OutputChunk {
  readonly offset: number;
  readonly data: Uint8Array;
}

/** Read an output stream from an offset. */
export interface ReadOutputRequest {
  readonly processId: string;
  readonly fd: OutputFd;
  /**
   * Where to start; also acknowledges every byte before it. Must lie between the stream's
   * `replayFrom` (when absent, `acknowledged`) and `written` offsets, else `out_of_range`.
   */
  readonly offset: number;
}

/** Acknowledge output: the host may forget every byte of the stream before `offset`. */
export interface AckOutputRequest {
  readonly processId: string;
  readonly fd: OutputFd;
  /** At most the stream's `written` offset, else `out_of_range`; a lower ack than before is a no-op. */
  readonly offset: number;
}

/** Write stdin bytes at an offset. */
export interface WriteInputRequest {
  readonly processId: string;
  /** The offset of `data[0]` in the process's input. */
  readonly offset: number;
  /** May be empty (e.g. EOF alone). */
  readonly data: Uint8Array;
  /** Close the process's stdin after these bytes. */
  readonly eof: boolean;
}

/** The host's input position after a write. */
export interface WriteInputResult {
  /** Every byte before this offset has been accepted by the host. */
  readonly offset: number;
  /** True when the host has accepted EOF. */
  readonly eof: boolean;
}

/** Names a process. */
export interface ProcessRequest {
  readonly processId: string;
}

/** Send a signal. */
export interface SignalRequest {
  readonly processId: string;
  readonly signal: SignalName;
}

/** Resize a process's terminal. */
export interface ResizeRequest {
  readonly processId: string;
  readonly size: TerminalSize;
}

/**
 * The transport contract. Every method is safe to retry after an `unavailable` error: start is
 * idempotent by id, reads and writes are addressed by offset, the rest are queries or idempotent
 * commands.
 */
export interface Transport {
  /**
   * Start a process, or return the existing one with this id (same principal). Rejects with
   * `invalid_argument` (empty argv, NUL bytes, bad id, missing cwd), `not_found` (the command does
   * not exist; the message names it), `resource_exhausted` (a limit), `permission_denied`.
   */
  start(request: StartRequest, options?: CallOptions): Promise<ProcessInfo>;

  /**
   * Read an output stream from `offset`: yields chunks in order, the first starting exactly at
   * `offset`, each following the previous without gap or overlap, and finishes after the last
   * byte once the process has closed the stream. Blocks while no new output exists. Breaking out
   * of the iteration ends the read and loses nothing. A `devnull` stream rejects with
   * `invalid_argument`; an offset outside the retained range with `out_of_range`.
   */
  readOutput(request: ReadOutputRequest, options?: CallOptions): AsyncIterable<OutputChunk>;

  /** Acknowledge output up to an offset, so the host can free it and let the process go on. */
  ackOutput(request: AckOutputRequest, options?: CallOptions): Promise<void>;

  /**
   * Write stdin bytes at an offset. Bytes the host already has are trimmed (so retries are safe);
   * an offset past the host's input offset is `out_of_range` (a gap); data after EOF is
   * `failed_precondition`. Resolves once the host has accepted the bytes into its bounded input
   * buffer, so an awaited write is backpressure. Input for a process that has exited is accepted
   * and discarded.
   */
  writeInput(request: WriteInputRequest, options?: CallOptions): Promise<WriteInputResult>;

  /** Resolves with the exit status once the process has exited and both outputs reached EOF. */
  wait(request: ProcessRequest, options?: CallOptions): Promise<ExitStatus>;

  /** The exit status if the process has exited (outputs at EOF), else `null`. Never blocks. */
  poll(request: ProcessRequest, options?: CallOptions): Promise<ExitStatus | null>;

  /**
   * Send a signal to the process's whole process group. A process that has already exited is not
   * an error (there is nothing left to signal).
   */
  signal(request: SignalRequest, options?: CallOptions): Promise<void>;

  /** Resize the process's terminal; `failed_precondition` when it has none. */
  resize(request: ResizeRequest, options?: CallOptions): Promise<void>;

  /** One process: running, or exited and still retained by the host. Else `not_found`. */
  get(request: ProcessRequest, options?: CallOptions): Promise<ProcessInfo>;

  /** The caller's processes: running ones and exited ones the host still retains. */
  list(options?: CallOptions): Promise<ProcessInfo[]>;

  /**
   * Release the transport. A client transport closes its connections (remote processes keep
   * running); a host transport kills every process it started. Idempotent.
   */
  close(): Promise<void>;
}
