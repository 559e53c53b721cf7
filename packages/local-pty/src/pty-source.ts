/**
 * Pty mode: the process runs in a pseudo-terminal from node-pty 1.1.0, as the leader of its own
 * session and process group. stderr is merged into stdout by the terminal (fd 2 ends at once).
 *
 * The exit race: node-pty learns of the exit from waitpid() and then gives its socket 200 ms to
 * reach EOF before it destroys it, throwing away output the kernel still holds (a fast writer's
 * tail, or everything while the socket is paused because the output window is full). We refuse
 * that destroy: the socket reads on, at the window's pace, until the terminal reports EIO (every
 * slave fd closed, every byte read); only then does node-pty emit its exit, and we report it.
 */
import type { Socket } from 'node:net';
import { type OutputFd, ProcwireError, type TerminalSize } from '@procwire/core/transport';
import { type IPty, spawn } from 'node-pty';
import type { LaunchSpec, ProcessSink, ProcessSource } from './process-source.js';
import { checkCommand, spawnError } from './spawn-checks.js';

/** node-pty internals this file relies on (checked at runtime; absent ones degrade gracefully). */
interface PtyInternals {
  readonly _socket?: Socket;
  readonly _writeStream?: { readonly _writeQueue?: ReadonlyArray<{ buffer: Uint8Array; offset: number }> };
}

/** Input queued in node-pty beyond this is backpressure: writeInput waits. */
const INPUT_BUFFER_BYTES = 64 * 1024;
const INPUT_POLL_MS = 5;
/** The terminal's EOF character (VEOF, ^D). */
const EOF_CHAR = 0x04;

export class PtySource implements ProcessSource {
  private lastInputByte = 0x0a;
  private ended = false;
  private destroyAllowed = false;

  private constructor(
    private readonly term: IPty,
    private readonly socket: Socket | undefined,
    readonly pid: number,
  ) {}

  /** Starts the process in a terminal; rejects with a `ProcwireError` when it cannot start. */
  static launch(spec: LaunchSpec, sink: ProcessSink): PtySource {
    const settings = spec.pty!;
    const [command, ...args] = spec.argv as [string, ...string[]];
    // node-pty cannot tell a missing command from one that exits 1: look first.
    checkCommand(command, spec.env['PATH'], spec.cwd);
    let term: IPty;
    try {
      term = spawn(command, args, {
        name: settings.term,
        cols: settings.cols,
        rows: settings.rows,
        cwd: spec.cwd,
        env: { ...spec.env, TERM: settings.term },
        encoding: null,
        ...(spec.user === undefined ? {} : { uid: spec.user.uid, gid: spec.user.gid }),
      });
    } catch (error) {
      throw spawnError(error, command, spec.argv);
    }
    const socket = (term as unknown as PtyInternals)._socket;
    const source = new PtySource(term, socket, term.pid);
    // The terminal has no separate stderr.
    sink.stderr.end();
    if (socket !== undefined) {
      // A second 'error' listener stops node-pty from rethrowing read errors other than EIO.
      socket.on('error', () => {});
      const destroy = socket.destroy.bind(socket);
      socket.destroy = ((error?: Error) => {
        if (error !== undefined || source.destroyAllowed || socket.readableEnded) return destroy(error);
        // node-pty's post-exit timer: the leader is gone; keep reading to EOF instead.
        sink.leaderGone();
        return socket;
      }) as Socket['destroy'];
    }
    term.onData((data: string | Buffer) => {
      sink.stdout.push(typeof data === 'string' ? Buffer.from(data) : data);
    });
    term.onExit(({ exitCode, signal }) => {
      source.ended = true;
      sink.stdout.end();
      sink.leaderExited(exitCode, signal ?? null);
    });
    return source;
  }

  async writeInput(data: Uint8Array): Promise<void> {
    if (this.ended || data.byteLength === 0) return;
    this.term.write(Buffer.from(data.buffer, data.byteOffset, data.byteLength) as unknown as string);
    this.lastInputByte = data[data.byteLength - 1]!;
    while (!this.ended && this.queuedInputBytes() > INPUT_BUFFER_BYTES) {
      await new Promise((resolve) => setTimeout(resolve, INPUT_POLL_MS));
    }
  }

  endInput(): void {
    if (this.ended) return;
    // ^D ends input only at the start of a line; after a partial line the first one flushes it.
    const atLineStart = this.lastInputByte === 0x0a || this.lastInputByte === 0x0d;
    const eof = atLineStart ? [EOF_CHAR] : [EOF_CHAR, EOF_CHAR];
    this.term.write(Buffer.from(eof) as unknown as string);
  }

  resize(size: TerminalSize): void {
    if (this.ended) return;
    try {
      this.term.resize(size.cols, size.rows);
    } catch (error) {
      // The terminal closed between the check and the ioctl: nothing left to resize.
      if (!this.ended) throw ProcwireError.from(error);
    }
  }

  pauseOutput(fd: OutputFd): void {
    if (fd === 1) this.term.pause();
  }

  resumeOutput(fd: OutputFd): void {
    if (fd === 1) this.term.resume();
  }

  abandonOutput(fd: OutputFd): void {
    if (fd !== 1) return;
    this.destroyAllowed = true;
    if (this.socket !== undefined) this.socket.destroy();
    else this.term.kill('SIGKILL');
  }

  private queuedInputBytes(): number {
    const queue = (this.term as unknown as PtyInternals)._writeStream?._writeQueue;
    if (queue === undefined) return 0;
    let bytes = 0;
    for (const task of queue) bytes += task.buffer.byteLength - task.offset;
    return bytes;
  }
}

