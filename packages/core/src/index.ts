/**
 * `@procwire/core`: run and control a process from TypeScript, wherever it lives.
 *
 * For users: `createClient(transport)` and the `ContainerProcess` it returns.
 * For transport authors: `@procwire/core/transport`.
 * This entry imports nothing Node-only, so it bundles for a browser.
 */

// For users.
export type {
  AttachOptions,
  BytesExecOptions,
  BytesGetOptions,
  Client,
  ClientOptions,
  ContainerProcess,
  ExecOptions,
  GetOptions,
  ProcessDetails,
  PtyOptions,
  StreamReader,
  StreamWriter,
  Terminal,
  TextExecOptions,
  TextGetOptions,
} from './api.js';
export { StreamType } from './api.js';
export { createClient } from './client/create-client.js';
export { ErrorCode, isErrorCode, isProcwireError, ProcwireError, type ProcwireErrorDetails } from './errors.js';
export { type KnownSignalName, type OtherSignalName, otherSignal, type SignalName } from './signal-name.js';
export type { ExitStatus, ProcessInfo, TerminalSize, Transport } from './transport/contract.js';

// For transport authors and tests: a host of scripted fake processes (the contract and the host
// building blocks are in `@procwire/core/transport`).
export { type MemoryTransport, type MemoryTransportOptions, memoryTransport } from './memory/memory-transport.js';
export type { MemoryProgram, MemoryProgramContext, MemoryProgramOutput } from './memory/program.js';
