import { ExitCode } from './exit-codes.js';

/**
 * A failure the CLI reports itself: one line on stderr, then this exit code. Thrown by argument
 * parsing and by error mapping; caught once, in `runCli`.
 */
export class CliError extends Error {
  readonly exitCode: number;

  constructor(message: string, exitCode: number) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

/** A bad flag or argument; `command` names the help page to point at. */
export function usageError(message: string, command?: string): CliError {
  const help = command === undefined ? 'procwire --help' : `procwire ${command} --help`;
  return new CliError(`${message} (see '${help}')`, ExitCode.Usage);
}
