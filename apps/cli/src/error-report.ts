import { ErrorCode, type ExitStatus, isProcwireError, ProcwireError } from '@procwire/core';
import { CliError } from './cli-error.js';
import { type Connection, describeEndpoint } from './endpoint.js';
import { ExitCode } from './exit-codes.js';

/** Core's default `retryTimeoutMs`, what `--give-up` overrides. */
const defaultGiveUpMs = 30_000;

/** What the CLI was doing when the error happened, to name the problem precisely. */
export interface ErrorContext {
  readonly connection: Connection;
  /** Set when the error concerns an existing process (attach, kill, wait). */
  readonly processId?: string;
  /** Set when the error concerns starting a command (exec). */
  readonly argv?: readonly string[];
  /** True once the process was started: an unavailable error then means a lost connection. */
  readonly started?: boolean;
}

/**
 * Turn anything thrown while talking to a host into one line and a distinct exit code. The token
 * never appears in the message; only where it came from does.
 */
export function reportError(error: unknown, context: ErrorContext): CliError {
  if (error instanceof CliError) return error;
  const failure = ProcwireError.from(error);
  const where = describeEndpoint(context.connection.endpoint);
  const detail = oneLine(failure.message);
  switch (failure.code) {
    case ErrorCode.Unavailable: {
      const after = ` after ${(context.connection.retryTimeoutMs ?? defaultGiveUpMs) / 1000} s`;
      const what = context.started ? `lost the connection to ${where}` : `cannot reach ${where}`;
      return new CliError(`${what}; gave up${after}: ${detail}`, ExitCode.Unavailable);
    }
    case ErrorCode.ProcessLost:
      return new CliError(`the host at ${where} lost the process: ${detail}`, ExitCode.Unavailable);
    case ErrorCode.Unauthenticated: {
      const source = context.connection.tokenSource;
      const token = source === undefined ? 'no token was given (use --token, --token-file or PROCWIRE_TOKEN)' : `the token from ${source} was refused`;
      return new CliError(`${where} rejected the request: ${token}`, ExitCode.Unauthenticated);
    }
    case ErrorCode.PermissionDenied:
      return new CliError(`${where} denied the request: ${detail}`, ExitCode.Unauthenticated);
    case ErrorCode.NotFound:
      if (context.processId !== undefined) {
        return new CliError(`no process with id '${context.processId}' on ${where}`, ExitCode.UnknownProcess);
      }
      // A missing --cwd is also not_found; the host's message names it.
      if (context.argv !== undefined && /\bcwd\b/.test(detail)) {
        return new CliError(`${where} rejected the request: ${detail}`, ExitCode.InvalidRequest);
      }
      if (context.argv !== undefined) {
        return new CliError(`command not found on ${where}: ${context.argv[0]} (${detail})`, ExitCode.CommandNotFound);
      }
      return new CliError(detail, ExitCode.UnknownProcess);
    case ErrorCode.Timeout:
      return new CliError(
        `the process ran past --timeout and was killed${failure.exitCode === undefined ? '' : ` (exit code ${failure.exitCode})`}`,
        ExitCode.Timeout,
      );
    case ErrorCode.InvalidArgument:
    case ErrorCode.OutOfRange:
      return new CliError(`${where} rejected the request: ${detail}`, ExitCode.InvalidRequest);
    default:
      return new CliError(`${where} failed (${failure.code}): ${detail}`, ExitCode.ServerError);
  }
}

/**
 * The exit code for a finished process: its own code, except that a process killed by its
 * timeout exits 124 (as GNU `timeout` does), with one line saying so.
 */
export function exitCodeForStatus(status: ExitStatus): number {
  if (status.timedOut === true) {
    throw new CliError(
      `the process ran past --timeout and was killed (exit code ${status.code}${status.signal === undefined ? '' : `, ${status.signal}`})`,
      ExitCode.Timeout,
    );
  }
  return status.code;
}

/** True when the error is the transient kind the core already retried until `--give-up`. */
export function isUnavailable(error: unknown): boolean {
  return isProcwireError(error, ErrorCode.Unavailable);
}

function oneLine(text: string): string {
  // grpc-js appends an empty "Resolution note:" to connection errors; it says nothing.
  return text.replace(/\s*\n\s*/g, ' ').replace(/\.? Resolution note:\s*$/, '').trim();
}
