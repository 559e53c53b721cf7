/**
 * `@procwire/core/transport`: for transport authors.
 *
 * The contract every transport implements, and the host-side building blocks that make a host
 * behave like every other: offset-addressed output windows, idempotent input, request checks,
 * a principal-scoped process table. docs/TRANSPORT-AUTHORS.md walks through writing one.
 */
export type {
  AckOutputRequest,
  CallOptions,
  ExitStatus,
  InputStreamInfo,
  OutputChunk,
  OutputFd,
  OutputMode,
  OutputStreamInfo,
  ProcessInfo,
  ProcessRequest,
  PtySettings,
  ReadOutputRequest,
  ResizeRequest,
  SignalName,
  SignalRequest,
  StartRequest,
  TerminalSize,
  Transport,
  WriteInputRequest,
  WriteInputResult,
} from './contract.js';
export { ErrorCode, isErrorCode, isProcwireError, ProcwireError, type ProcwireErrorDetails } from '../errors.js';
export { type FreshInput, InputCursor } from './input-cursor.js';
export { lazyIterable } from './lazy-iterable.js';
export { ownTurn } from './own-turn.js';
export { untilAborted } from './until-aborted.js';
export {
  DEFAULT_KILL_GRACE_MS,
  DEFAULT_MAX_ARGV_BYTES,
  DEFAULT_MAX_ENV_BYTES,
  DEFAULT_MAX_PROCESSES,
  DEFAULT_OUTPUT_BURST_BYTES,
  DEFAULT_OUTPUT_POOL_BYTES,
  DEFAULT_OUTPUT_WINDOW_BYTES,
  DEFAULT_RETENTION_MS,
  HostOptionChecks,
} from './host-options.js';
export { OutputPool } from './output-pool.js';
export { OutputWindow, type OutputWindowOptions } from './output-window.js';
export { hasUnreadOutput, ProcessRegistry, type ProcessRegistryOptions } from './process-registry.js';
export {
  DEFAULT_MAX_ENV_ENTRIES,
  MAX_TIMER_MS,
  type StartLimits,
  validateDurationMs,
  validateEnvEntries,
  validateFd,
  validateOffset,
  validateProcessId,
  validateSignalName,
  validateStartRequest,
  validateTerminalSize,
} from './validate.js';

// Pieces every network transport needs: errors on the wire, the server-side front and its client.
export { connectionLostError, decodeWireError, encodeWireError, type WireError } from './wire-errors.js';
// The rules every server applies, once: request checks and the host call, tokens, a connection's calls.
export {
  callTransport,
  readOutputRequestFrom,
  startRequestFrom,
  type TransportCallMethod,
  type TransportCallResults,
} from './call-transport.js';
export { TokenTable } from './token-table.js';
export { type ConnectionCall, ConnectionCalls } from './connection-calls.js';
export { createFrontClient, type FrontClientOptions, type FrontLink } from './front-client.js';
export {
  createTransportFront,
  type FrontConnection,
  type FrontMessage,
  type FrontMethod,
  type FrontReply,
  type TransportFront,
  type TransportFrontOptions,
} from './transport-front.js';
