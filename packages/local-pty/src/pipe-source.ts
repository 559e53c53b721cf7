/**
 * Pipe mode: the process runs with child_process.spawn (argv array, never a shell), in its own
 * process group, with stdin/stdout/stderr as pipes. It is spawned here, or by the spawn helper
 * (`spawn-helper.ts`), which hands the same three pipes over; from then on both are one source.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { ErrorCode, type OutputFd, ProcwireError } from '@procwire/core/transport';
import type { LaunchSpec, ProcessSink, ProcessSource } from './process-source.js';
import { spawnError } from './spawn-checks.js';

const ignore = () => {};

/** A started pipe-mode process: its leader's pid and the host's ends of its pipes. */
export interface PipeStreams {
  readonly pid: number;
  readonly stdin: Writable | null;
  readonly stdout: Readable | null;
  readonly stderr: Readable | null;
}

export class PipeSource implements ProcessSource {
  readonly pid: number;
  private readonly stdin: Writable | null;
  private readonly stdout: Readable | null;
  private readonly stderr: Readable | null;

  /** Connects the streams of a started process to `sink` (the leader's exit is reported apart). */
  constructor(streams: PipeStreams, sink: ProcessSink) {
    this.pid = streams.pid;
    this.stdin = streams.stdin;
    this.stdout = streams.stdout;
    this.stderr = streams.stderr;
    // EPIPE when the child closed its stdin: the input is discarded, nothing crashes.
    this.stdin?.on('error', ignore);
    connect(this.stdout, sink.stdout);
    connect(this.stderr, sink.stderr);
  }

  /**
   * Spawns the process. Success is known at once (so the caller registers it without awaiting);
   * a failure (ENOENT, EACCES) arrives on the next tick, as `error`.
   */
  static launch(spec: LaunchSpec, sink: ProcessSink): { source: PipeSource } | { error: Promise<ProcwireError> } {
    const [command, ...args] = spec.argv as [string, ...string[]];
    let child: ChildProcess;
    try {
      child = spawn(command, args, {
        cwd: spec.cwd,
        env: spec.env,
        // Its own process group, so signals reach every descendant.
        detached: true,
        shell: false,
        stdio: ['pipe', spec.stdout === 'pipe' ? 'pipe' : 'ignore', spec.stderr === 'pipe' ? 'pipe' : 'ignore'],
        ...(spec.user === undefined ? {} : { uid: spec.user.uid, gid: spec.user.gid }),
      });
    } catch (error) {
      return { error: Promise.resolve(spawnError(error, command, spec.argv)) };
    }
    if (child.pid === undefined) {
      const error = new Promise<unknown>((resolve) => child.once('error', resolve));
      return { error: error.then((cause) => spawnError(cause, command, spec.argv)) };
    }
    // After a successful spawn, 'error' only reports a failed kill; nothing to do about it.
    child.on('error', ignore);
    const source = new PipeSource({ pid: child.pid, stdin: child.stdin, stdout: child.stdout, stderr: child.stderr }, sink);
    child.once('exit', (code, signal) => sink.leaderExited(code, signal));
    return { source };
  }

  writeInput(data: Uint8Array): Promise<void> {
    const stdin = this.stdin;
    if (stdin === null || stdin.destroyed || stdin.writableEnded || data.byteLength === 0) return Promise.resolve();
    return new Promise((resolve) => {
      if (stdin.write(data)) {
        resolve();
        return;
      }
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
    if (stdin !== null && !stdin.destroyed && !stdin.writableEnded) stdin.end();
  }

  /**
   * The leader exited: read what its pipes still hold even past a full output window, as Node
   * does for a ChildProcess it spawned (flushStdio), so that EOF and the exit arrive although
   * nobody reads. The rest is bounded by the pipes' capacity; members of the group that go on
   * writing are killed after the grace period.
   */
  readToEnd(): void {
    this.stdout?.resume();
    this.stderr?.resume();
  }

  discardInput(): void {
    // Pending writes complete (their 'close' fires) instead of waiting for a reader.
    this.stdin?.destroy();
  }

  resize(): void {
    throw new ProcwireError(ErrorCode.FailedPrecondition, 'the process has no terminal: start it with pty to resize it');
  }

  pauseOutput(fd: OutputFd): void {
    this.stream(fd)?.pause();
  }

  resumeOutput(fd: OutputFd): void {
    this.stream(fd)?.resume();
  }

  abandonOutput(fd: OutputFd): void {
    this.stream(fd)?.destroy();
  }

  private stream(fd: OutputFd): Readable | null {
    return fd === 1 ? this.stdout : this.stderr;
  }
}

function connect(stream: Readable | null, window: ProcessSink['stdout']): void {
  if (stream === null) {
    window.end();
    return;
  }
  stream.on('data', (chunk: Buffer) => window.push(chunk));
  stream.on('error', ignore);
  // 'close' follows the last 'data' (or a destroy); either way the stream is finished.
  stream.once('close', () => window.end());
}
