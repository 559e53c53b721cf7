/**
 * The fixed wrapper every process starts through: `sh -c WRAPPER_SCRIPT procwire-exec <args>`.
 * The script is a constant; the request's cwd, terminal size, removed env keys and argv reach it
 * as positional arguments only, so nothing a caller sends is ever parsed by a shell.
 *
 * It checks the cwd and the command, sets the terminal size (before the command can ask for it),
 * writes one header line on stdout, then `exec`s the command, which keeps the wrapper's pid. The
 * Engine makes every exec a session and process-group leader, so that pid is the process group to
 * signal (`kill -s SIG -PGID` from another exec: the Engine has no call to signal an exec).
 */

/** The header's prefix; the rest of the line is the pid, or `cwd` / `nocmd`. */
export const HEADER_PREFIX = 'procwire-exec:';
/** The longest header line the host accepts before it calls the stream broken. */
export const MAX_HEADER_BYTES = 64;

const WRAPPER_SCRIPT = [
  'cwd=$1 rows=$2 cols=$3 n=$4',
  'shift 4',
  'while [ "$n" -gt 0 ]; do unset -v "$1"; n=$((n - 1)); shift; done',
  `if [ -n "$cwd" ]; then cd "$cwd" 2>/dev/null || { echo ${HEADER_PREFIX}cwd; exit 126; }; fi`,
  `command -v "$1" >/dev/null 2>&1 || { echo ${HEADER_PREFIX}nocmd; exit 127; }`,
  'if [ -n "$rows" ]; then stty rows "$rows" cols "$cols" 2>/dev/null; fi',
  `echo ${HEADER_PREFIX}$$`,
  'exec "$@"',
].join('\n');

const SIGNAL_SCRIPT = 'kill -s "$1" "-$2" 2>/dev/null || kill -s "$1" "$2" 2>/dev/null || :';

/** Names a shell can unset; other keys cannot be removed from a container's environment. */
const SHELL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** What the wrapper needs besides the command. */
export interface WrapperSpec {
  readonly argv: readonly string[];
  readonly cwd?: string;
  readonly pty?: { readonly rows: number; readonly cols: number };
  /** Environment keys to remove from the container's environment. */
  readonly unset: readonly string[];
}

/** The exec's Cmd: the fixed wrapper, then its positional arguments. */
export function wrapperArgv(spec: WrapperSpec): string[] {
  const unset = spec.unset.filter((key) => SHELL_NAME.test(key));
  return [
    'sh',
    '-c',
    WRAPPER_SCRIPT,
    'procwire-exec',
    spec.cwd ?? '',
    spec.pty === undefined ? '' : String(spec.pty.rows),
    spec.pty === undefined ? '' : String(spec.pty.cols),
    String(unset.length),
    ...unset,
    ...spec.argv,
  ];
}

/** The exec's Cmd that sends `signal` (a name without `SIG`) to the process group `pgid`. */
export function signalArgv(signal: string, pgid: number): string[] {
  return ['sh', '-c', SIGNAL_SCRIPT, 'procwire-kill', signal, String(pgid)];
}

/** What the header line said. */
export type WrapperHeader = { readonly pid: number } | { readonly failure: 'cwd' | 'nocmd' };

/** Parses one header line (without its line end); `undefined` when it is not a header. */
export function parseHeader(line: string): WrapperHeader | undefined {
  if (!line.startsWith(HEADER_PREFIX)) return undefined;
  const rest = line.slice(HEADER_PREFIX.length);
  if (rest === 'cwd' || rest === 'nocmd') return { failure: rest };
  const pid = Number(rest);
  return Number.isSafeInteger(pid) && pid > 0 ? { pid } : undefined;
}
