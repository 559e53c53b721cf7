/** The payload of an `Error` frame, `{ code, message }`, and its mapping to `ProcwireError`. */
import { ErrorCode, isErrorCode, ProcwireError } from '@procwire/core/transport';
import { decodeJson, encodeJson } from './payload.js';

/** Encode an error for the wire: its code and message only (never a stack or a cause). */
export function encodeError(error: unknown): Uint8Array {
  const normal = ProcwireError.from(error);
  return encodeJson({ code: normal.code, message: normal.message });
}

/** Decode an `Error` payload; anything unexpected becomes `internal` with what was received. */
export function decodeError(payload: Uint8Array): ProcwireError {
  try {
    const value = decodeJson(payload) as { code?: unknown; message?: unknown } | undefined;
    const message = typeof value?.message === 'string' ? value.message : 'the server sent an error without a message';
    return new ProcwireError(isErrorCode(value?.code) ? value.code : ErrorCode.Internal, message);
  } catch {
    return new ProcwireError(ErrorCode.Internal, 'the server sent an error frame that is not JSON');
  }
}
