/**
 * Close-on-exec for descriptors Node does not open itself. node-pty opens each terminal's master
 * without FD_CLOEXEC, so every child spawned later (other terminals, pipe-mode processes, the
 * spawn helper) would inherit every open terminal and could read and type into it. Node has no
 * fcntl: a tiny N-API addon (native/close-on-exec.c, built on install) sets the flag. Node has no
 * pipe() either: the same addon makes the pipes pipe mode gives its processes (stdio-pipes.ts).
 */
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { ErrorCode, ProcwireError } from '@procwire/core/transport';

interface CloseOnExecAddon {
  setCloseOnExec(fd: number): void;
  /** A pipe, both ends close-on-exec: `[read, write]`. */
  pipe(): [number, number];
  /** F_SETPIPE_SZ: the capacity the kernel gave; throws when it refuses. */
  setPipeSize(fd: number, bytes: number): number;
}

/** From dist/ (or dist-test/) to the addon node-gyp builds at install. */
const ADDON_PATH = '../build/Release/close_on_exec.node';

/** This process's descriptors (Linux and macOS). */
const FD_DIRECTORY = '/dev/fd';

let addon: CloseOnExecAddon | undefined;

function load(): CloseOnExecAddon {
  if (addon !== undefined) return addon;
  try {
    addon = createRequire(import.meta.url)(ADDON_PATH) as CloseOnExecAddon;
  } catch (error) {
    throw new ProcwireError(
      ErrorCode.Internal,
      '@procwire/local-pty: the close-on-exec addon is not built (run `npm rebuild @procwire/local-pty`; it needs python3, make and a C compiler); terminals are refused without it',
      { cause: error },
    );
  }
  return addon;
}

/**
 * Marks `fd` close-on-exec, so no child this process spawns inherits it. Throws `internal` when
 * the addon is missing or fcntl fails.
 */
export function setCloseOnExec(fd: number): void {
  try {
    load().setCloseOnExec(fd);
  } catch (error) {
    throw ProcwireError.from(error, ErrorCode.Internal);
  }
}

/**
 * Marks every descriptor above 2 that this process holds now close-on-exec: what the host
 * inherited from whoever started it (a supervisor's pipe, a test runner's channel) or what a
 * native module opened must not reach the processes it runs. Node's own descriptors have the
 * flag already. Throws `internal` when the addon is missing.
 */
export function closeInheritedDescriptors(): void {
  const { setCloseOnExec: set } = load();
  for (const entry of readdirSync(FD_DIRECTORY)) {
    const fd = Number(entry);
    if (!Number.isInteger(fd) || fd <= 2) continue;
    try {
      set(fd);
    } catch {
      // EBADF: the directory's own descriptor, closed once listed.
    }
  }
}

/**
 * A pipe whose ends are both close-on-exec, as `[read, write]`; `undefined` when the addon is not
 * built. Throws when the pipe cannot be made (EMFILE, ENFILE: `code` is the errno name).
 */
export function closeOnExecPipe(): [read: number, write: number] | undefined {
  let pipe: CloseOnExecAddon['pipe'];
  try {
    pipe = load().pipe;
  } catch {
    return undefined;
  }
  return pipe();
}

/**
 * Asks for a pipe capacity of `bytes` on `fd`; returns what the kernel gave, or `undefined` when
 * it refused (the user's pipe limits, not a pipe) or the addon is not built.
 */
export function setPipeSize(fd: number, bytes: number): number | undefined {
  try {
    return load().setPipeSize(fd, bytes);
  } catch {
    return undefined;
  }
}
