/**
 * Checks made before spawning, so a bad request gets an error naming what was wrong (a missing
 * cwd would otherwise surface as ENOENT "naming" the command), and spawn failures mapped to codes.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { ErrorCode, ProcwireError } from '@procwire/core/transport';

/** What glibc's execvp searches when the environment has no PATH. */
const EXECVP_DEFAULT_PATH = '/bin:/usr/bin';

/** Throws `invalid_argument` naming `cwd` unless it is an existing directory (as the contract says). */
export function checkCwd(cwd: string): void {
  let isDirectory: boolean;
  try {
    isDirectory = statSync(cwd).isDirectory();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EACCES') throw new ProcwireError(ErrorCode.PermissionDenied, `cwd ${JSON.stringify(cwd)} is not accessible`);
    throw new ProcwireError(ErrorCode.InvalidArgument, `cwd ${JSON.stringify(cwd)} does not exist`, { cause: error });
  }
  if (!isDirectory) throw new ProcwireError(ErrorCode.InvalidArgument, `cwd ${JSON.stringify(cwd)} is not a directory`);
}

function executableState(path: string): 'ok' | 'missing' | 'denied' {
  try {
    if (!statSync(path).isFile()) return 'denied';
  } catch {
    return 'missing';
  }
  try {
    accessSync(path, constants.X_OK);
    return 'ok';
  } catch {
    return 'denied';
  }
}

/**
 * Throws `not_found` naming `command` when `execvp` would not find it (through `PATH` of the
 * child's environment, or as a path relative to `cwd`), `permission_denied` when it is not
 * executable. Used for pty mode, where node-pty would only report an exit status of 1.
 */
export function checkCommand(command: string, path: string | undefined, cwd: string): void {
  const candidates = command.includes('/')
    ? [isAbsolute(command) ? command : resolve(cwd, command)]
    : (path ?? EXECVP_DEFAULT_PATH).split(delimiter).map((dir) => join(dir === '' ? cwd : resolve(cwd, dir), command));
  let denied = false;
  for (const candidate of candidates) {
    const state = executableState(candidate);
    if (state === 'ok') return;
    if (state === 'denied') denied = true;
  }
  if (denied) throw new ProcwireError(ErrorCode.PermissionDenied, `command ${JSON.stringify(command)} is not executable`);
  throw new ProcwireError(ErrorCode.NotFound, `command not found: ${JSON.stringify(command)}`);
}

/**
 * The longest single argument or environment string Linux execs (MAX_ARG_STRLEN, 32 pages of
 * 4 KiB, its NUL included); a longer one fails with E2BIG.
 */
export const MAX_ARG_STRING_BYTES = 32 * 4096;

function stringBytes(text: string): number {
  return Buffer.byteLength(text, 'utf8') + 1;
}

/**
 * Throws `invalid_argument` naming the argument or environment variable that the kernel would
 * refuse as too long (E2BIG), before anything is spawned: a terminal would only exit 1.
 */
export function checkExecStrings(argv: readonly string[], env: Readonly<Record<string, string>>): void {
  if (process.platform !== 'linux') return;
  argv.forEach((item, index) => {
    // Cheap first: a string of fewer UTF-16 units than a third of the limit fits in any encoding.
    if (item.length * 3 < MAX_ARG_STRING_BYTES) return;
    const bytes = stringBytes(item);
    if (bytes > MAX_ARG_STRING_BYTES) {
      throw new ProcwireError(
        ErrorCode.InvalidArgument,
        `argv[${index}] is ${bytes} bytes, over the kernel's limit of ${MAX_ARG_STRING_BYTES} bytes for one argument`,
      );
    }
  });
  for (const [key, value] of Object.entries(env)) {
    if ((key.length + value.length + 1) * 3 < MAX_ARG_STRING_BYTES) continue;
    const bytes = stringBytes(`${key}=${value}`);
    if (bytes > MAX_ARG_STRING_BYTES) {
      throw new ProcwireError(
        ErrorCode.InvalidArgument,
        `env ${key} is ${bytes} bytes (KEY=VALUE), over the kernel's limit of ${MAX_ARG_STRING_BYTES} bytes for one variable`,
      );
    }
  }
}

/** Maps an error from `spawn` to a `ProcwireError` naming the command. */
export function spawnError(error: unknown, command: string, argv: readonly string[]): ProcwireError {
  const code = (error as NodeJS.ErrnoException).code;
  const details = { argv, cause: error };
  if (code === 'ENOENT') return new ProcwireError(ErrorCode.NotFound, `command not found: ${JSON.stringify(command)}`, details);
  if (code === 'EACCES' || code === 'EPERM') {
    return new ProcwireError(ErrorCode.PermissionDenied, `command ${JSON.stringify(command)} may not be run: ${code}`, details);
  }
  if (code === 'E2BIG') {
    return new ProcwireError(
      ErrorCode.InvalidArgument,
      `cannot start ${JSON.stringify(command)}: its argv and env together are too long for the kernel (E2BIG)`,
      details,
    );
  }
  if (code === 'EAGAIN' || code === 'EMFILE' || code === 'ENFILE' || code === 'ENOMEM') {
    return new ProcwireError(ErrorCode.ResourceExhausted, `cannot start ${JSON.stringify(command)}: ${code}`, details);
  }
  return new ProcwireError(ErrorCode.Internal, `cannot start ${JSON.stringify(command)}: ${(error as Error).message}`, details);
}
