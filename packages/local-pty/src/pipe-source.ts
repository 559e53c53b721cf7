/**
 * Pipe mode: the process runs with child_process.spawn (argv array, never a shell), in its own
 * process group, with stdin/stdout/stderr as pipes (stdio-pipes.ts). It is spawned here, or by the
 * spawn helper (`spawn-helper.ts`), which hands the same three pipes over; from then on both are
 * one source.
 * The helper's pipes arrive one IPC message each, after the process started: until a pipe is
 * here, what is asked of it (writes, EOF, pause) waits and is applied in order on arrival.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { ErrorCode, type OutputFd, ProcwireError } from '@procwire/core/transport';
import type { LaunchSpec, ProcessSink, ProcessSource } from './process-source.js';
import { spawnError } from './spawn-checks.js';
import { growPipeWhenBulk, StdioPipes } from './stdio-pipes.js';

const ignore = () => {};

/** A started pipe-mode process: its leader's pid and the host's ends of its pipes. */
export interface PipeStreams {
  readonly pid: number;
  readonly stdin: Writable | null;
  readonly stdout: Readable | null;
  readonly stderr: Readable | null;
}

/** A pipe that is not here yet (the spawn helper sends each one after the start). */
const PENDING = undefined;

export class PipeSource implements ProcessSource {
  readonly pid: number;
  private stdin: Writable | null | typeof PENDING;
  private stdout: Readable | null | typeof PENDING;
  private stderr: Readable | null | typeof PENDING;
  /** Resolves once stdin is here (or given up on); writes and EOF asked before then wait for it. */
  private stdinArrived: Promise<void> = Promise.resolve();
  private stdinArrive: (() => void) | undefined;
  /** What was asked of an output pipe before it arrived, applied on arrival. */
  private readonly early = { paused: [false, false, false], abandoned: [false, false, false], readToEnd: false };

  /**
   * Connects the streams of a started process to `sink` (the leader's exit is reported apart).
   * A stream given as `undefined` is still on its way: hand it over with {@link arrive}.
   */
  constructor(
    streams: { readonly pid: number } & { readonly [K in 'stdin' | 'stdout' | 'stderr']: PipeStreams[K] | typeof PENDING },
    private readonly sink: ProcessSink,
    /** Grow an output's pipe to this capacity once its reader consumed as much (`LaunchSpec.outputPipeBytes`). */
    private readonly outputPipeBytes?: number,
  ) {
    this.pid = streams.pid;
    this.stdin = streams.stdin;
    this.stdout = streams.stdout;
    this.stderr = streams.stderr;
    if (this.stdin === PENDING) {
      this.stdinArrived = new Promise((resolve) => {
        this.stdinArrive = resolve;
      });
    } else {
      // EPIPE when the child closed its stdin: the input is discarded, nothing crashes.
      this.stdin?.on('error', ignore);
    }
    if (this.stdout !== PENDING) connect(this.stdout, sink.stdout, outputPipeBytes);
    if (this.stderr !== PENDING) connect(this.stderr, sink.stderr, outputPipeBytes);
  }

  /** A pending pipe arrived (or, as `null`, never will: its output ends, its input is dropped). */
  arrive(fd: 0 | 1 | 2, stream: Readable | Writable | null): void {
    if (fd === 0) {
      if (this.stdin !== PENDING) return;
      this.stdin = stream as Writable | null;
      this.stdin?.on('error', ignore);
      this.stdinArrive?.();
      return;
    }
    if (this.stream(fd) !== PENDING) return;
    const readable = stream as Readable | null;
    if (fd === 1) this.stdout = readable;
    else this.stderr = readable;
    connect(readable, fd === 1 ? this.sink.stdout : this.sink.stderr, this.outputPipeBytes);
    if (readable === null) return;
    if (this.early.abandoned[fd]) readable.destroy();
    else if (this.early.paused[fd] && !this.early.readToEnd) readable.pause();
  }

  /** The pipes still on their way. */
  get pending(): Array<0 | 1 | 2> {
    const fds: Array<0 | 1 | 2> = [];
    if (this.stdin === PENDING) fds.push(0);
    if (this.stdout === PENDING) fds.push(1);
    if (this.stderr === PENDING) fds.push(2);
    return fds;
  }

  /**
   * Spawns the process. Success is known at once (so the caller registers it without awaiting);
   * a failure (ENOENT, EACCES) arrives on the next tick, as `error`.
   */
  static launch(spec: LaunchSpec, sink: ProcessSink): { source: PipeSource } | { error: Promise<ProcwireError> } {
    const [command, ...args] = spec.argv as [string, ...string[]];
    // Pipes where the addon makes them; Node's socket pairs otherwise.
    const pipes = StdioPipes.make(spec.stdout === 'pipe', spec.stderr === 'pipe');
    let child: ChildProcess;
    try {
      if (pipes !== undefined && spec.user !== undefined) pipes.chown(spec.user.uid, spec.user.gid);
      child = spawn(command, args, {
        cwd: spec.cwd,
        env: spec.env,
        // Its own process group, so signals reach every descendant.
        detached: true,
        shell: false,
        stdio: pipes?.stdio ?? ['pipe', spec.stdout === 'pipe' ? 'pipe' : 'ignore', spec.stderr === 'pipe' ? 'pipe' : 'ignore'],
        ...(spec.user === undefined ? {} : { uid: spec.user.uid, gid: spec.user.gid }),
      });
    } catch (error) {
      pipes?.close();
      return { error: Promise.resolve(spawnError(error, command, spec.argv)) };
    }
    if (child.pid === undefined) {
      pipes?.close();
      const error = new Promise<unknown>((resolve) => child.once('error', resolve));
      return { error: error.then((cause) => spawnError(cause, command, spec.argv)) };
    }
    pipes?.closeChildEnds();
    // After a successful spawn, 'error' only reports a failed kill; nothing to do about it.
    child.on('error', ignore);
    const streams = pipes?.hostStreams() ?? { stdin: child.stdin, stdout: child.stdout, stderr: child.stderr };
    const source = new PipeSource({ pid: child.pid, ...streams }, sink, spec.outputPipeBytes);
    child.once('exit', (code, signal) => sink.leaderExited(code, signal));
    return { source };
  }

  writeInput(data: Uint8Array): Promise<void> | undefined {
    const stdin = this.stdin;
    if (stdin === PENDING) return this.stdinArrived.then(() => this.writeInput(data));
    if (stdin === null || stdin.destroyed || stdin.writableEnded || data.byteLength === 0) return undefined;
    if (stdin.write(data)) return undefined;
    return new Promise((resolve) => {
      const done = () => {
        stdin.off('drain', done);
        stdin.off('close', done);
        resolve();
      };
      stdin.on('drain', done);
      stdin.on('close', done);
    });
  }

  endInput(): void {
    const stdin = this.stdin;
    // After the writes that wait for stdin too (their callbacks run in order).
    if (stdin === PENDING) void this.stdinArrived.then(() => this.endInput());
    else if (stdin !== null && !stdin.destroyed && !stdin.writableEnded) stdin.end();
  }

  /**
   * The leader exited: read what its pipes still hold even past a full output window, as Node
   * does for a ChildProcess it spawned (flushStdio), so that EOF and the exit arrive although
   * nobody reads. The rest is bounded by the pipes' capacity; members of the group that go on
   * writing are killed after the grace period.
   */
  readToEnd(): void {
    this.early.readToEnd = true;
    this.stdout?.resume();
    this.stderr?.resume();
  }

  discardInput(): void {
    const stdin = this.stdin;
    if (stdin === PENDING) void this.stdinArrived.then(() => this.discardInput());
    // Pending writes complete (their 'close' fires) instead of waiting for a reader.
    else stdin?.destroy();
  }

  resize(): void {
    throw new ProcwireError(ErrorCode.FailedPrecondition, 'the process has no terminal: start it with pty to resize it');
  }

  pauseOutput(fd: OutputFd): void {
    this.early.paused[fd] = true;
    this.stream(fd)?.pause();
  }

  resumeOutput(fd: OutputFd): void {
    this.early.paused[fd] = false;
    this.stream(fd)?.resume();
  }

  abandonOutput(fd: OutputFd): void {
    this.early.abandoned[fd] = true;
    this.stream(fd)?.destroy();
  }

  private stream(fd: OutputFd): Readable | null | typeof PENDING {
    return fd === 1 ? this.stdout : this.stderr;
  }
}

function connect(stream: Readable | null, window: ProcessSink['stdout'], pipeBytes: number | undefined): void {
  if (stream === null) {
    window.end();
    return;
  }
  if (pipeBytes !== undefined) growPipeWhenBulk(stream, pipeBytes, () => window.acknowledged);
  stream.on('data', (chunk: Buffer) => window.push(chunk));
  stream.on('error', ignore);
  // 'close' follows the last 'data' (or a destroy); either way the stream is finished.
  stream.once('close', () => window.end());
}
