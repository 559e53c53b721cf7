/**
 * The CLI's own exit codes. A command that ran exits with the process's code (128 + n for a
 * signal, as ssh and shells do), so the CLI's own failures use codes a program rarely picks.
 */
export const ExitCode = {
  /** The process (or the command) succeeded. */
  Success: 0,
  /** `--timeout` passed and the host killed the process (as GNU `timeout` does). */
  Timeout: 124,
  /** The command does not exist on the host (as shells do). */
  CommandNotFound: 127,
  /** Another failure the server reported: a limit, a bad state, an internal error. */
  ServerError: 250,
  /** The server rejected the request: bad `--cwd`, bad signal name, argv too large, ... */
  InvalidRequest: 251,
  /** A bad flag, a missing argument, an unreadable token file. */
  Usage: 252,
  /** No process with that id (or it belongs to another token's principal). */
  UnknownProcess: 253,
  /** The server refused the token (missing, wrong) or the principal may not do this. */
  Unauthenticated: 254,
  /** The server could not be reached, or the connection was lost past `--give-up` (as ssh). */
  Unavailable: 255,
} as const;

/** A value of {@link ExitCode}. */
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** The exit-code table printed by `--help`. */
export const exitCodeTable: readonly (readonly [number | string, string])[] = [
  ['N', "the process's own exit code; 128+n when signal n ended it (SIGKILL: 137)"],
  [ExitCode.Timeout, '--timeout passed and the process was killed'],
  [ExitCode.CommandNotFound, 'the command does not exist on the host'],
  [ExitCode.ServerError, 'another error reported by the server (a limit, an internal error)'],
  [ExitCode.InvalidRequest, 'the server rejected the request (bad --cwd, signal name, argv)'],
  [ExitCode.Usage, 'bad flag or argument, unreadable --token-file'],
  [ExitCode.UnknownProcess, 'no process with that id'],
  [ExitCode.Unauthenticated, 'the server refused the token'],
  [ExitCode.Unavailable, 'server unreachable, or connection lost for longer than --give-up'],
];
