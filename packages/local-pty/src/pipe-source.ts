/**
 * Pipe mode: the process runs with child_process.spawn (argv array, never a shell), in its own
 * process group, with stdin/stdout/stderr as pipes.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { ErrorCode, type OutputFd, ProcwireError } from '@procwire/core/transport';
import type { LaunchSpec, ProcessSink, ProcessSource } from './process-source.js';
import { spawnError } from './spawn-checks.js';

const ignore = () => {};

export class PipeSource implements ProcessSource {
  private constructor(
    private readonly child: ChildProcess,
    readonly pid: number,
  ) {}

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
    // EPIPE when the child closed its stdin: the input is discarded, nothing crashes.
    child.stdin?.on('error', ignore);
    connect(child.stdout, sink.stdout);
    connect(child.stderr, sink.stderr);
    child.once('exit', (code, signal) => sink.leaderExited(code, signal));
    return { source: new PipeSource(child, child.pid) };
  }

  writeInput(data: Uint8Array): Promise<void> {
    const stdin = this.child.stdin;
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
    const stdin = this.child.stdin;
    if (stdin !== null && !stdin.destroyed && !stdin.writableEnded) stdin.end();
  }

  discardInput(): void {
    // Pending writes complete (their 'close' fires) instead of waiting for a reader.
    this.child.stdin?.destroy();
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
    return fd === 1 ? this.child.stdout : this.child.stderr;
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
