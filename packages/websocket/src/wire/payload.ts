/**
 * Payload layouts of `procwire.v1` besides the header: process-addressed binary payloads (the
 * data path: no JSON) and JSON payloads (control calls only).
 */
import { ErrorCode, ProcwireError, validateProcessId } from '@procwire/core/transport';
import { type FrameHeader, HEADER_BYTES, writeHeader } from './frame.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });
const EMPTY = new Uint8Array(0);

function invalid(message: string): ProcwireError {
  return new ProcwireError(ErrorCode.InvalidArgument, message);
}

/**
 * A whole frame with a process-addressed payload: `u8 length`, that many bytes of process id
 * (ASCII), then `restBytes` the caller fills through `rest` (stdin bytes for `Write`, a u32 window
 * for `Read`, nothing for `Ack`). One allocation, so the data path copies stdin bytes once. Sent
 * once per keystroke, so an ASCII id (every valid one) is copied in as it is, without a
 * `TextEncoder` array per frame.
 */
export function encodeAddressedFrame(
  header: FrameHeader,
  processId: string,
  restBytes: number,
): { frame: Uint8Array; rest: Uint8Array } {
  const encoded = isAscii(processId) ? undefined : encoder.encode(processId);
  const idBytes = encoded?.byteLength ?? processId.length;
  if (idBytes > 255) throw invalid('process id must be at most 128 characters');
  const idStart = HEADER_BYTES + 1;
  const frame = new Uint8Array(idStart + idBytes + restBytes);
  writeHeader(frame, header);
  frame[HEADER_BYTES] = idBytes;
  if (encoded !== undefined) frame.set(encoded, idStart);
  else for (let i = 0; i < idBytes; i++) frame[idStart + i] = processId.charCodeAt(i);
  return { frame, rest: frame.subarray(idStart + idBytes) };
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}

/**
 * The last process id decoded, as bytes and as the validated string: a terminal's keystrokes all
 * name the same process, and this spares each one a `TextDecoder` call and the id's validation.
 */
let lastIdBytes = EMPTY;
let lastId = '';

/** Split a process-addressed payload; throws `invalid_argument` for a bad id. `rest` is a view. */
export function decodeAddressed(payload: Uint8Array): { processId: string; rest: Uint8Array } {
  if (payload.byteLength < 1) throw invalid('payload must start with the process id length');
  const length = payload[0]!;
  if (payload.byteLength < 1 + length) {
    throw invalid(`payload holds ${payload.byteLength - 1} bytes, fewer than the ${length}-byte process id`);
  }
  const rest = payload.subarray(1 + length);
  if (length > 0 && length === lastIdBytes.byteLength && sameBytes(payload, 1, lastIdBytes)) {
    return { processId: lastId, rest };
  }
  const idBytes = payload.slice(1, 1 + length);
  let processId: string;
  try {
    processId = decoder.decode(idBytes);
  } catch {
    throw invalid('process id is not valid UTF-8');
  }
  validateProcessId(processId);
  lastIdBytes = idBytes;
  lastId = processId;
  return { processId, rest };
}

function sameBytes(payload: Uint8Array, from: number, bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.byteLength; i++) if (payload[from + i] !== bytes[i]) return false;
  return true;
}

/** The bytes after the process id of a (well-formed) process-addressed payload, without decoding it. */
export function addressedRestBytes(payload: Uint8Array): number {
  return payload.byteLength - 1 - (payload[0] ?? 0);
}

/** A JSON payload; `undefined` encodes as an empty payload. */
export function encodeJson(value: unknown): Uint8Array {
  return value === undefined ? EMPTY : encoder.encode(JSON.stringify(value));
}

/** Parse a JSON payload; an empty payload is `undefined`. Throws `invalid_argument` for bad JSON. */
export function decodeJson(payload: Uint8Array): unknown {
  if (payload.byteLength === 0) return undefined;
  try {
    return JSON.parse(decoder.decode(payload));
  } catch {
    throw invalid('payload is not valid UTF-8 JSON');
  }
}

/** Parse a JSON payload that must be an object (a control call's parameters). */
export function decodeJsonObject(payload: Uint8Array, what: string): Record<string, unknown> {
  const value = decodeJson(payload);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid(`${what} payload must be a JSON object`);
  }
  return value as Record<string, unknown>;
}
