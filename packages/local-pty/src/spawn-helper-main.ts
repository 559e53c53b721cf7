/**
 * The spawn helper: a small Node process forked once by the host (`spawnHelper: true`). A big host
 * pays for every fork with its page tables, blocking its event loop (38 ms at 250 MB RSS here);
 * this process stays small, so its forks are cheap, and the host never forks.
 *
 * It spawns each child exactly as the in-process pipe mode does and hands the child's pipes to the
 * host over the IPC channel. It never reads them: a read here would take bytes the host never sees.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { Socket } from 'node:net';
import type { Readable, Writable } from 'node:stream';
import type { HelperMessage, SpawnCommand, StdioFd } from './spawn-helper-protocol.js';
import { StdioPipes } from './stdio-pipes.js';

/** The libuv pipe inside a net.Socket (internal to Node, stable since the IPC handle passing). */
interface PipeHandle {
  readStop(): number;
  close(callback?: () => void): void;
}

const send = (message: HelperMessage, handle?: PipeHandle, done?: () => void): void => {
  // The channel is gone when the host is; 'disconnect' below ends this process then.
  if (process.connected) process.send?.(message, handle as never, undefined, done);
};

/**
 * Takes the pipe out of the socket Node made for it, before the event loop runs again. Node's
 * socket has already asked libuv to read (net.Socket does at construction); `readStop()` now
 * means not one byte is read here. The socket, left without a handle, is destroyed.
 */
function detach(socket: Readable | Writable | null): PipeHandle | undefined {
  if (socket === null) return undefined;
  const holder = socket as unknown as { _handle: PipeHandle | null };
  const handle = holder._handle;
  if (handle === null) return undefined;
  handle.readStop();
  holder._handle = null;
  socket.destroy();
  return handle;
}

function start(command: SpawnCommand): void {
  const { launchId } = command;
  const fail = (error: unknown) => {
    const { code, message } = error as NodeJS.ErrnoException;
    send({ type: 'failed', launchId, code, message: String(message) });
  };
  // Pipes where the addon makes them (stdio-pipes.ts); Node's socket pairs otherwise.
  const pipes = StdioPipes.make(command.pipeStdout, command.pipeStderr);
  let child: ChildProcess;
  try {
    if (pipes !== undefined && command.uid !== undefined) pipes.chown(command.uid, command.gid ?? -1);
    child = spawn(command.file, [...command.args], {
      cwd: command.cwd,
      env: command.env,
      // Its own process group, so signals reach every descendant.
      detached: true,
      shell: false,
      stdio: pipes?.stdio ?? ['pipe', command.pipeStdout ? 'pipe' : 'ignore', command.pipeStderr ? 'pipe' : 'ignore'],
      ...(command.uid === undefined ? {} : { uid: command.uid, gid: command.gid }),
    });
  } catch (error) {
    pipes?.close();
    fail(error);
    return;
  }
  pipes?.closeChildEnds();
  // A socket that neither reads nor writes: only its handle is wanted, to send.
  const hostEnds = pipes?.hostFds.map((fd) => (fd < 0 ? null : new Socket({ fd, readable: false, writable: false })));
  const handles = (hostEnds ?? [child.stdin, child.stdout, child.stderr]).map(detach);
  if (child.pid === undefined) {
    // ENOENT and EACCES arrive as an 'error' event on the next tick.
    child.once('error', fail);
    for (const handle of handles) handle?.close();
    return;
  }
  child.on('error', () => {});
  const fds = ([0, 1, 2] as const).filter((fd) => handles[fd] !== undefined);
  send({ type: 'started', launchId, pid: child.pid, fds });
  for (const fd of fds) {
    const handle = handles[fd] as PipeHandle;
    // Once written, the fd travels in the message; our copy must go, or the host's EOF on stdin
    // would never reach the child (we would still hold the write end).
    send({ type: 'stream', launchId, fd: fd as StdioFd }, handle, () => handle.close());
  }
  child.once('exit', (code, signal) => send({ type: 'exit', launchId, code, signal }));
}

process.on('message', (message: SpawnCommand) => {
  if (message?.type === 'spawn') start(message);
});
// The host closed the channel (close(), or it died): nothing is left to do here.
process.on('disconnect', () => process.exit(0));
