/**
 * `@procwire/core`: run and control a process from TypeScript, wherever it lives.
 *
 * For users: `createClient(transport)` and the `ContainerProcess` it returns.
 * For transport authors: `@procwire/core/transport`.
 * This entry imports nothing Node-only, so it bundles for a browser.
 */
export type {
  AttachOptions,
  BytesExecOptions,
  Client,
  ClientOptions,
  ContainerProcess,
  ExecOptions,
  GetOptions,
  PtyOptions,
  StreamReader,
  StreamWriter,
  Terminal,
  TextExecOptions,
} from './api.js';
export { StreamType } from './api.js';
export { ErrorCode, isErrorCode, isProcwireError, ProcwireError, type ProcwireErrorDetails } from './errors.js';
export type { ExitStatus, ProcessInfo, SignalName, TerminalSize, Transport } from './transport/contract.js';
export type { MemoryProgram, MemoryProgramContext, MemoryProgramOutput } from './memory/program.js';
