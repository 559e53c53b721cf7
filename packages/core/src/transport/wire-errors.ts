/**
 * `ProcwireError` to and from a wire: a plain, JSON-safe object with the code, the message and
 * every detail (never a stack or a cause), and back, so a client rejects with what the host said.
 */
import { ErrorCode, isErrorCode, ProcwireError, type ProcwireErrorDetails } from '../errors.js';

/** A `ProcwireError` as it crosses a wire (JSON-safe). */
export interface WireError {
  readonly code: ErrorCode;
  readonly message: string;
  readonly processId?: string;
  readonly argv?: readonly string[];
  readonly exitCode?: number;
  readonly signal?: string;
  readonly timedOut?: boolean;
}

/** Anything thrown, as a {@link WireError} (`ProcwireError.from` first: an unknown error is `internal`). */
export function encodeWireError(error: unknown): WireError {
  const normal = ProcwireError.from(error);
  const wire: { -readonly [K in keyof WireError]: WireError[K] } = { code: normal.code, message: normal.message };
  if (normal.processId !== undefined) wire.processId = normal.processId;
  if (normal.argv !== undefined) wire.argv = [...normal.argv];
  if (normal.exitCode !== undefined) wire.exitCode = normal.exitCode;
  if (normal.signal !== undefined) wire.signal = normal.signal;
  if (normal.timedOut !== undefined) wire.timedOut = normal.timedOut;
  return wire;
}

/**
 * A decoded wire error back as a `ProcwireError`. Whatever does not fit (an unknown code, a detail
 * of the wrong type) is dropped or becomes `internal`, naming what arrived, never an exception.
 */
export function decodeWireError(value: unknown): ProcwireError {
  if (typeof value !== 'object' || value === null) {
    return new ProcwireError(ErrorCode.Internal, `the peer sent an error that is not an object: ${String(value)}`);
  }
  const wire = value as Record<string, unknown>;
  const message = typeof wire['message'] === 'string' ? wire['message'] : 'the peer sent an error without a message';
  if (!isErrorCode(wire['code'])) {
    return new ProcwireError(ErrorCode.Internal, `the peer sent an error with an unknown code ${JSON.stringify(wire['code'])}: ${message}`);
  }
  const details: { -readonly [K in keyof ProcwireErrorDetails]: ProcwireErrorDetails[K] } = {};
  if (typeof wire['processId'] === 'string') details.processId = wire['processId'];
  if (Array.isArray(wire['argv']) && wire['argv'].every((item) => typeof item === 'string')) details.argv = wire['argv'] as string[];
  if (typeof wire['exitCode'] === 'number') details.exitCode = wire['exitCode'];
  if (typeof wire['signal'] === 'string') details.signal = wire['signal'];
  if (typeof wire['timedOut'] === 'boolean') details.timedOut = wire['timedOut'];
  return new ProcwireError(wire['code'], message, details);
}

/**
 * The error for calls in flight on a connection that dropped, or a connect that failed:
 * `unavailable`, the one code core retries (it resumes reads and writes from their offsets).
 */
export function connectionLostError(what: string, cause?: unknown): ProcwireError {
  return new ProcwireError(ErrorCode.Unavailable, `the connection to ${what} was lost`, { cause });
}
