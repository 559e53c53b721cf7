/**
 * The stdio a pipe-mode process gets when child_process spawns it: pipes, as a shell, sshd or
 * `docker exec` give. For `'pipe'`, Node makes socket pairs, where a process's `> /dev/stdout`
 * fails (the kernel refuses to open a socket through /proc/self/fd: ENXIO) and every small write
 * costs the writer more than on a pipe. Node has no pipe(), so the close-on-exec addon makes them;
 * without the addon a process gets Node's socket pairs.
 */
import { closeSync, fchownSync } from 'node:fs';
import { Socket, type SocketConstructorOpts } from 'node:net';
import type { Readable, Writable } from 'node:stream';
import { closeOnExecPipe, setPipeSize } from './close-on-exec.js';

/** A pipe's capacity unless asked otherwise (Linux). */
const DEFAULT_PIPE_BYTES = 64 * 1024;

/**
 * At most this many pipes of this process are grown at once. The kernel counts an unprivileged
 * user's pipe buffers against `fs.pipe-user-pages-soft` (64 MiB by default), and a user past it
 * gets 8 KiB pipes for everything it makes next.
 */
export const MAX_GROWN_PIPES = 16;
let grownPipes = 0;

/**
 * Gives the pipe under `stream` (an output's read end) a capacity of `bytes` once its reader has
 * consumed (acknowledged) that much: a bulk writer then blocks, and wakes the host, far less
 * often; with the 64 KiB default, `head -c 1G` cost the host and the writer more CPU than reading
 * it. Output nobody consumes, or that stays small, keeps the default (and the host's memory bound
 * and the user's pipe budget as they were). Best effort: past {@link MAX_GROWN_PIPES}, past the
 * user's limits, or on a socket pair, the pipe stays as it is.
 */
export function growPipeWhenBulk(stream: Readable, bytes: number, consumed: () => number): void {
  if (bytes <= DEFAULT_PIPE_BYTES) return;
  const check = () => {
    if (consumed() < bytes) return;
    stream.off('data', check);
    // The libuv handle's descriptor (Node's internal `_handle.fd`, as for process.stdout).
    const fd = (stream as unknown as { _handle?: { fd?: number } | null })._handle?.fd;
    if (grownPipes >= MAX_GROWN_PIPES || fd === undefined || fd < 0) return;
    if (setPipeSize(fd, bytes) === undefined) return;
    grownPipes++;
    stream.once('close', () => grownPipes--);
  };
  stream.on('data', check);
}

/** The pipes of one start, until the spawn settled. */
export class StdioPipes {
  /** The child's ends for child_process.spawn's `stdio`: stdin's read end, the outputs' write ends. */
  readonly stdio: [number, number | 'ignore', number | 'ignore'];
  /** The host's ends: stdin's write end, the outputs' read ends (-1: sent to /dev/null). */
  private readonly host: [number, number, number];
  private childEndsOpen = true;

  private constructor(stdio: StdioPipes['stdio'], host: StdioPipes['host']) {
    this.stdio = stdio;
    this.host = host;
  }

  /**
   * Pipes for stdin and each output asked as `pipe`; `undefined` when they cannot be made here
   * (no addon, or no descriptors left: Node's own spawn then reports that).
   */
  static make(pipeStdout: boolean, pipeStderr: boolean): StdioPipes | undefined {
    const made: number[] = [];
    try {
      const stdin = closeOnExecPipe();
      if (stdin === undefined) return undefined;
      made.push(...stdin);
      const stdout = pipeStdout ? closeOnExecPipe() : undefined;
      if (stdout !== undefined) made.push(...stdout);
      const stderr = pipeStderr ? closeOnExecPipe() : undefined;
      if (stderr !== undefined) made.push(...stderr);
      return new StdioPipes(
        [stdin[0], stdout?.[1] ?? 'ignore', stderr?.[1] ?? 'ignore'],
        [stdin[1], stdout?.[0] ?? -1, stderr?.[0] ?? -1],
      );
    } catch {
      for (const fd of made) closeSync(fd);
      return undefined;
    }
  }

  /**
   * Gives every pipe to `uid`:`gid`, for a process that runs as another user: a pipe belongs to
   * whoever made it, and reopening one through /proc/self/fd (`> /dev/stdout`) checks that owner.
   */
  chown(uid: number, gid: number): void {
    // One end of each pipe: both are the same inode.
    for (const fd of this.stdio) if (typeof fd === 'number') fchownSync(fd, uid, gid);
  }

  /** Closes the child's ends: the spawned child holds its own copies (and EOF needs ours gone). */
  closeChildEnds(): void {
    if (!this.childEndsOpen) return;
    this.childEndsOpen = false;
    for (const fd of this.stdio) if (typeof fd === 'number') closeSync(fd);
  }

  /** Closes every end: the spawn failed. */
  close(): void {
    this.closeChildEnds();
    for (const fd of this.host) if (fd >= 0) closeSync(fd);
  }

  /** Sockets over the host's ends, as child_process gives them (`null` for /dev/null). */
  hostStreams(): HostStreams {
    return hostStreams(this.host);
  }

  /** The host's ends as raw descriptors, for the spawn helper to send (-1: none). */
  get hostFds(): readonly [number, number, number] {
    return this.host;
  }
}

/** The host's ends of a process's stdio, as child_process gives them (`null`: sent to /dev/null). */
export interface HostStreams {
  readonly stdin: Writable;
  readonly stdout: Readable | null;
  readonly stderr: Readable | null;
}

/** Sockets over the host's ends of stdin, stdout and stderr (-1: sent to /dev/null). */
export function hostStreams([stdin, stdout, stderr]: readonly [number, number, number]): HostStreams {
  return {
    stdin: stdioSocket({ fd: stdin }, 0),
    stdout: stdout < 0 ? null : stdioSocket({ fd: stdout }, 1),
    stderr: stderr < 0 ? null : stdioSocket({ fd: stderr }, 2),
  };
}

/**
 * A socket over the host's end of a child's stdio `fd` (0: written, 1 and 2: read), as
 * child_process makes one: from a descriptor, or from a libuv handle received over IPC (`handle`
 * is the undocumented, long-stable option for an existing handle).
 */
export function stdioSocket(end: { readonly fd: number } | { readonly handle: unknown }, fd: 0 | 1 | 2): Socket {
  return new Socket({ ...end, readable: fd !== 0, writable: fd === 0 } as SocketConstructorOpts);
}
