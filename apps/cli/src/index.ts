/**
 * The `procwire` CLI as modules, for tests and embedding: argument parsing, transport selection,
 * exit-code mapping. The binary is `main.ts`.
 */
export { CliError, usageError } from './cli-error.js';
export {
  type AttachCommand,
  type Command,
  type CommandName,
  commandNames,
  type ExecCommand,
  type InfoCommand,
  type KillCommand,
  type PsCommand,
  parseCommandLine,
  type WaitCommand,
} from './command-line.js';
export {
  type Connection,
  type ConnectionFlags,
  defaultWebSocketPath,
  describeEndpoint,
  type Endpoint,
  parseEndpoint,
  resolveConnection,
} from './endpoint.js';
export { type ErrorContext, reportError } from './error-report.js';
export { ExitCode, exitCodeTable } from './exit-codes.js';
export { helpText } from './help.js';
export { formatProcessTable, type ProcessSummary, toProcessSummary } from './process-table.js';
export { runCli } from './run-cli.js';
export { normaliseSignal, signalNumber } from './signals.js';
