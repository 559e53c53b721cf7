/**
 * A decoded request, checked, as a call on the transport a server fronts: the one place where a
 * server turns what a wire carried into a host call. Every front (the kit's, gRPC, WebSocket)
 * decodes its own format into these request objects and hands them here, so a malformed request
 * gets the same `invalid_argument` everywhere and never reaches a host as something else.
 */
import { ErrorCode, ProcwireError } from '../errors.js';
import { ownTurn } from './own-turn.js';
import type {
  AckOutputRequest,
  CallOptions,
  PtySettings,
  ReadOutputRequest,
  StartRequest,
  Transport,
} from './contract.js';
import {
  type StartLimits,
  validateFd,
  validateOffset,
  validateProcessId,
  validateSignalName,
  validateStartRequest,
  validateTerminalSize,
} from './validate.js';

/** The calls that answer once (`readOutput` streams: see {@link readOutputRequestFrom}). */
export type TransportCallMethod = 'start' | 'ackOutput' | 'writeInput' | 'wait' | 'poll' | 'signal' | 'resize' | 'get' | 'list';

/** What each call {@link callTransport} makes answers with: what the transport's method resolves to. */
export type TransportCallResults = { readonly [M in TransportCallMethod]: Awaited<ReturnType<Transport[M]>> };

/**
 * Check `request` (as a wire decoded it) for `method`, then make the call on `transport` with
 * `options` (the caller's principal and signal). The request is rebuilt from its known fields
 * only. A `start` request is read as {@link startRequestFrom} reads it, with `startLimits`.
 * Never throws: a bad request or an unknown method is a rejected promise (`invalid_argument`,
 * `resource_exhausted` past a start limit), as is whatever the host answers.
 */
export function callTransport<M extends TransportCallMethod>(
  transport: Transport,
  method: M,
  request: unknown,
  options: CallOptions,
  startLimits?: StartLimits,
): Promise<TransportCallResults[M]>;
export function callTransport(
  transport: Transport,
  method: TransportCallMethod,
  request: unknown,
  options: CallOptions,
  startLimits?: StartLimits,
): Promise<unknown> {
  try {
    return dispatch(transport, method, request, options, startLimits);
  } catch (error) {
    return Promise.reject(error);
  }
}

const callMethods = new Set<string>(['start', 'ackOutput', 'writeInput', 'wait', 'poll', 'signal', 'resize', 'get', 'list'] satisfies TransportCallMethod[]);

function dispatch(
  transport: Transport,
  method: TransportCallMethod,
  input: unknown,
  options: CallOptions,
  startLimits: StartLimits | undefined,
): Promise<unknown> {
  if (!callMethods.has(method)) throw invalid(`unknown method ${JSON.stringify(method)}`);
  if (method === 'list') return transport.list(options);
  const request = objectOf(input, method);
  switch (method) {
    case 'start': {
      const start = startRequestFrom(request, startLimits);
      if (!isLargeStart(start)) return transport.start(start, options);
      // Reading and checking a large start took a good part of this turn of the event loop; the
      // host's own work on it (its checks, the environment, the spawn) gets a turn of its own.
      return ownTurn().then(() => transport.start(start, options));
    }
    case 'ackOutput':
      return transport.ackOutput(outputRequestOf(request, 'ackOutput'), options);
    case 'writeInput': {
      const { processId, offset, data, eof } = request;
      validateProcessId(processId);
      validateOffset(offset);
      if (!(data instanceof Uint8Array)) throw invalid('writeInput data must be bytes (a Uint8Array)');
      if (typeof eof !== 'boolean') throw invalid('writeInput eof must be a boolean');
      return transport.writeInput({ processId, offset, data, eof }, options);
    }
    case 'wait':
    case 'poll':
    case 'get': {
      const { processId } = request;
      validateProcessId(processId);
      return transport[method]({ processId }, options);
    }
    case 'signal': {
      const { processId, signal } = request;
      validateProcessId(processId);
      validateSignalName(signal);
      return transport.signal({ processId, signal }, options);
    }
    case 'resize': {
      const { processId, size } = request;
      validateProcessId(processId);
      validateTerminalSize(size);
      return transport.resize({ processId, size: { cols: size.cols, rows: size.rows } }, options);
    }
    default:
      throw invalid(`unknown method ${JSON.stringify(method)}`);
  }
}

/** Starts with this many argv items and env entries or more are large (each costs microseconds). */
const LARGE_START_ITEMS = 512;

function isLargeStart(start: StartRequest): boolean {
  if (start.argv.length >= LARGE_START_ITEMS) return true;
  if (start.env === undefined) return false;
  let entries = 0;
  for (const _key in start.env) if (++entries + start.argv.length >= LARGE_START_ITEMS) return true;
  return false;
}

/**
 * A `readOutput` request from what a wire decoded: `{ processId, fd, offset }`, checked (the
 * stream itself is the wire's to carry). Throws `invalid_argument` naming the bad field.
 */
export function readOutputRequestFrom(request: unknown): ReadOutputRequest {
  return outputRequestOf(request, 'readOutput');
}

/** `{ processId, fd, offset }` of a `readOutput` or an `ackOutput`, checked. */
function outputRequestOf(request: unknown, method: string): ReadOutputRequest & AckOutputRequest {
  const { processId, fd, offset } = objectOf(request, method);
  validateProcessId(processId);
  validateFd(fd);
  validateOffset(offset);
  return { processId, fd, offset };
}

/**
 * A `StartRequest` from what a wire decoded, checked with `validateStartRequest` and `limits`:
 * known fields only; an optional field that is `null` is absent (JSON has no `undefined`);
 * `stdout`/`stderr` default to `"pipe"`; an env value of `null` (or `undefined`) removes that key.
 * Throws `invalid_argument` (`resource_exhausted` past a limit).
 */
export function startRequestFrom(input: unknown, limits: StartLimits = {}): StartRequest {
  const { processId, argv, cwd, env, pty, stdout, stderr, timeoutMs } = objectOf(input, 'start');
  let cleanEnv: Record<string, string | undefined> | undefined;
  if (env !== undefined && env !== null) {
    if (typeof env !== 'object' || Array.isArray(env)) throw invalid('env must be an object');
    cleanEnv = {};
    for (const [key, value] of Object.entries(env)) {
      if (value !== null && value !== undefined && typeof value !== 'string') throw invalid(`env ${key} must be a string or null`);
      cleanEnv[key] = value ?? undefined;
    }
  }
  let cleanPty: PtySettings | undefined;
  if (pty !== undefined && pty !== null) {
    if (typeof pty !== 'object' || Array.isArray(pty)) throw invalid('pty must be an object { cols, rows, term }');
    const { cols, rows, term } = pty as Record<string, unknown>;
    cleanPty = { cols, rows, term } as PtySettings;
  }
  const request = {
    processId,
    argv,
    stdout: stdout ?? 'pipe',
    stderr: stderr ?? 'pipe',
    ...(cwd === undefined || cwd === null ? {} : { cwd }),
    ...(cleanEnv === undefined ? {} : { env: cleanEnv }),
    ...(cleanPty === undefined ? {} : { pty: cleanPty }),
    ...(timeoutMs === undefined || timeoutMs === null ? {} : { timeoutMs }),
  } as StartRequest;
  validateStartRequest(request, limits);
  return { ...request, argv: [...request.argv] };
}

function objectOf(input: unknown, method: string): Record<string, unknown> {
  if (typeof input !== 'object' || input === null) throw invalid(`the ${method} request must be an object`);
  return input as Record<string, unknown>;
}

function invalid(message: string): ProcwireError {
  return new ProcwireError(ErrorCode.InvalidArgument, message);
}
