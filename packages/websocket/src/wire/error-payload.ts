/**
 * The payload of an `Error` frame, `{ code, message }` plus the error's details (`processId`,
 * `argv`, `exitCode`, `signal`, `timedOut`), and its mapping to `ProcwireError`.
 */
import { decodeWireError, ErrorCode, encodeWireError, ProcwireError } from '@procwire/core/transport';
import { decodeJson, encodeJson } from './payload.js';

/** Encode an error for the wire: its code, message and details (never a stack or a cause). */
export function encodeError(error: unknown): Uint8Array {
  return encodeJson(encodeWireError(error));
}

/** Decode an `Error` payload; anything unexpected becomes `internal` with what was received. */
export function decodeError(payload: Uint8Array): ProcwireError {
  let value: unknown;
  try {
    value = decodeJson(payload);
  } catch {
    return new ProcwireError(ErrorCode.Internal, 'the server sent an error frame that is not JSON');
  }
  if (typeof value === 'object' && value !== null && typeof (value as { message?: unknown }).message !== 'string') {
    return decodeWireError({ ...value, message: 'the server sent an error without a message' });
  }
  return decodeWireError(value);
}
