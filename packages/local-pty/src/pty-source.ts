/**
 * Pty mode: the process runs in a pseudo-terminal from node-pty 1.1.0, as the leader of its own
 * session and process group. stderr is merged into stdout by the terminal (fd 2 ends at once).
 *
 * The exit race has two causes, both handled here:
 * - libuv ends a stream when epoll reports POLLHUP after a read shorter than its buffer. A pty
 *   read returns at most ~4 KiB however much the kernel holds, so once the writer exits (POLLHUP)
 *   libuv reports EOF with up to ~70 KiB still unread, and node-pty closes the fd. Before the fd
 *   is closed we read the rest ourselves, synchronously (bounded by the kernel's pty buffers),
 *   until the kernel says EIO: every slave fd closed and every byte read.
 * - node-pty learns of the exit from waitpid() and gives its socket 200 ms to reach EOF before it
 *   destroys it, throwing away what the kernel holds (e.g. while the output window is full and
 *   the socket paused). We refuse that destroy: the socket reads on at the window's pace.
 * node-pty emits its exit only after the socket closed, so the exit we report follows the last byte.
 * The master itself is closed only once the leader has exited: EOF on it means every slave fd is
 * closed, and a leader that closes its stdio before exiting (`cat` does) would otherwise be hung
 * up and killed with SIGHUP.
 *
 * Input does not go through node-pty's writer (see ./pty-input.ts): its queue outlives the fd.
 */
import { chownSync, existsSync, readSync } from 'node:fs';
import type { Socket } from 'node:net';
import { ErrorCode, type OutputFd, ProcwireError, type TerminalSize } from '@procwire/core/transport';
import { type IPty, spawn } from 'node-pty';
import { setCloseOnExec } from './close-on-exec.js';
import type { LaunchSpec, ProcessSink, ProcessSource } from './process-source.js';
import { PtyInput } from './pty-input.js';
import { leaderAlive } from './signals.js';
import { checkCommand, spawnError } from './spawn-checks.js';

/** node-pty internals this file relies on (checked at runtime; absent ones degrade gracefully). */
interface PtyInternals {
  readonly _fd?: number;
  /** The terminal's slave device, e.g. `/dev/pts/3`. */
  readonly _pty?: string;
  readonly _socket?: Socket;
  /** Set by node-pty's exit callback, once waitpid() has reaped the leader. */
  readonly _boundClose?: boolean;
}

/** Input waiting for the terminal beyond this is backpressure: writeInput waits. */
const INPUT_BUFFER_BYTES = 64 * 1024;
/** The terminal's EOF character (VEOF, ^D). */
const EOF_CHAR = 0x04;

export class PtySource implements ProcessSource {
  private lastInputByte = 0x0a;
  private ended = false;
  private destroyAllowed = false;
  private fdOpen = true;

  private constructor(
    private readonly term: IPty,
    private readonly socket: Socket | undefined,
    private readonly input: PtyInput | undefined,
    readonly pid: number,
  ) {}

  /** Starts the process in a terminal; rejects with a `ProcwireError` when it cannot start. */
  static launch(spec: LaunchSpec, sink: ProcessSink): PtySource {
    const settings = spec.pty!;
    const [command, ...args] = spec.argv as [string, ...string[]];
    // node-pty cannot tell a missing command from one that exits 1: look first.
    checkCommand(command, spec.env['PATH'], spec.cwd);
    const [file, fileArgs, user] = asUser(command, args, spec.user);
    let term: IPty;
    try {
      term = spawn(file, fileArgs, {
        name: settings.term,
        cols: settings.cols,
        rows: settings.rows,
        cwd: spec.cwd,
        env: { ...spec.env, TERM: settings.term },
        encoding: null,
        ...(user === undefined ? {} : { uid: user.uid, gid: user.gid }),
      });
    } catch (error) {
      throw spawnError(error, command, spec.argv);
    }
    const internals = term as unknown as PtyInternals;
    // Before anything else can spawn (this is synchronous since forkpty): no later child may
    // inherit this terminal's master.
    try {
      if (internals._fd === undefined) throw new ProcwireError(ErrorCode.Internal, 'node-pty gave no terminal fd');
      setCloseOnExec(internals._fd);
      // The terminal belongs to its user, as sshd makes it: reopening it (`> /dev/stdout`) checks
      // the device's owner. setpriv execs before the command can, so this comes first in practice.
      if (spec.user !== undefined && internals._pty !== undefined) chownSync(internals._pty, spec.user.uid, spec.user.gid);
    } catch (error) {
      term.kill('SIGKILL');
      internals._socket?.destroy();
      throw ProcwireError.from(error);
    }
    const socket = internals._socket;
    const input = internals._fd === undefined ? undefined : new PtyInput(internals._fd);
    const source = new PtySource(term, socket, input, term.pid);
    // The fd closes when the socket is destroyed: only once no input write is in flight.
    const closeInput = (then: () => void) => {
      const closeFd = () => {
        // From here the fd number may belong to someone else: no resize may use it.
        source.fdOpen = false;
        then();
      };
      if (input === undefined) closeFd();
      else input.close(closeFd);
    };
    // The terminal has no separate stderr.
    sink.stderr.end();
    if (socket !== undefined) {
      // A second 'error' listener stops node-pty from rethrowing read errors other than EIO.
      socket.on('error', () => {});
      const destroy = socket.destroy.bind(socket);
      let drained = false;
      const drain = () => {
        if (drained) return;
        drained = true;
        drainTerminal(internals._fd ?? -1, sink);
      };
      // The master closes (hanging up the terminal) only once the leader has exited. EOF on the
      // master means every slave fd is closed, not that the leader is gone: `cat` closes its stdio
      // and then exits, and a hangup in between kills it with SIGHUP (47 of 300 `cat` runs on a
      // loaded machine, and 3 of 300 with bare node-pty, which closes at once).
      let closing = false;
      const closeAfterLeader = (error?: Error) => {
        if (closing) return;
        closing = true;
        whenLeaderGone(internals, term.pid, () => closeInput(() => destroy(error)));
      };
      socket.once('end', () => {
        drain();
        // Nothing more can arrive: close as soon as the leader is gone, not when node-pty's
        // 200 ms timer fires.
        closeAfterLeader();
      });
      socket.destroy = ((error?: Error) => {
        if (source.destroyAllowed) {
          closing = true;
          closeInput(() => destroy(error));
          return socket;
        }
        if (error !== undefined || socket.readableEnded) {
          drain();
          closeAfterLeader(error);
          return socket;
        }
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

  writeInput(data: Uint8Array): Promise<void> | undefined {
    if (this.ended || data.byteLength === 0) return undefined;
    this.sendInput(data);
    this.lastInputByte = data[data.byteLength - 1]!;
    const input = this.input;
    return input === undefined || input.queuedBytes <= INPUT_BUFFER_BYTES ? undefined : input.whenBelow(INPUT_BUFFER_BYTES);
  }

  endInput(): void {
    if (this.ended) return;
    // ^D ends input only at the start of a line; after a partial line the first one flushes it.
    const atLineStart = this.lastInputByte === 0x0a || this.lastInputByte === 0x0d;
    const eof = atLineStart ? [EOF_CHAR] : [EOF_CHAR, EOF_CHAR];
    this.sendInput(Uint8Array.from(eof));
  }

  discardInput(): void {
    this.input?.discard();
  }

  private sendInput(data: Uint8Array): void {
    // A copy: the caller may reuse its buffer once writeInput resolves.
    if (this.input !== undefined) this.input.write(data.slice());
    else this.term.write(Buffer.from(data) as unknown as string);
  }

  resize(size: TerminalSize): void {
    if (this.ended || !this.fdOpen) return;
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
}


/**
 * Reads what the kernel still holds for the terminal, after libuv reported EOF early (see the top
 * of this file). The fd is non-blocking and the writer side is closed, so reads return data until
 * EIO; the amount is bounded by the kernel's pty buffers.
 */
function drainTerminal(fd: number, sink: ProcessSink): void {
  if (fd < 0) return;
  const buffer = Buffer.allocUnsafe(64 * 1024);
  for (;;) {
    let bytes: number;
    try {
      bytes = readSync(fd, buffer, 0, buffer.byteLength, null);
    } catch {
      // EIO: every byte was read. EAGAIN: a slave fd is still open elsewhere; nothing more now.
      return;
    }
    if (bytes === 0) return;
    sink.stdout.push(Buffer.from(buffer.subarray(0, bytes)));
  }
}

const setpriv = ['/usr/bin/setpriv', '/bin/setpriv'].find((path) => existsSync(path));

/**
 * node-pty switches uid and gid but keeps the host's supplementary groups (root's, on a server).
 * When util-linux `setpriv` exists, it does the switch instead and clears them, then execs the
 * command (same pid); otherwise node-pty switches.
 */
function asUser(
  command: string,
  args: string[],
  user: LaunchSpec['user'],
): [string, string[], LaunchSpec['user'] | undefined] {
  if (user === undefined || setpriv === undefined) return [command, args, user];
  return [setpriv, [`--reuid=${user.uid}`, `--regid=${user.gid}`, '--clear-groups', '--', command, ...args], undefined];
}

/**
 * Runs `then` once the terminal's leader has exited and been reaped: node-pty's exit callback has
 * run, or (should that internal change) the leader is a zombie or gone. node-pty reaps as soon as the leader
 * exits, so the first checks usually answer; the polls back off to 50 ms for a leader that closed
 * its terminal and runs on.
 */
function whenLeaderGone(internals: PtyInternals, pid: number, then: () => void): void {
  let delayMs = 1;
  const check = () => {
    if (internals._boundClose === true || !leaderAlive(pid)) {
      then();
      return;
    }
    setTimeout(check, delayMs).unref();
    delayMs = Math.min(delayMs * 2, 50);
  };
  check();
}
