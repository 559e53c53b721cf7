/**
 * The frame codec of `procwire.v1`: a 16-byte big-endian header, then a payload. Shared by the
 * Node client, the browser client and the server, so it uses only web-standard types.
 * docs/PROTOCOL-websocket.md is the reference; keep the two in step.
 */
import { ErrorCode, ProcwireError } from '@procwire/core/transport';

/** The WebSocket subprotocol this codec speaks. */
export const SUBPROTOCOL = 'procwire.v1';

/** Browsers cannot set headers: they send the token as the subprotocol `procwire.token.<base64url>`. */
export const TOKEN_SUBPROTOCOL_PREFIX = 'procwire.token.';

/** Bytes before the payload of every frame. */
export const HEADER_BYTES = 16;

/** The largest offset a header carries: offsets are JavaScript safe integers. */
export const MAX_OFFSET = Number.MAX_SAFE_INTEGER;

/** Frame types. Client -> server below 0x80, server -> client from 0x80. */
export const FrameType = {
  /** Start a process. Payload: JSON `StartRequest`. Answer: `Result` with JSON `ProcessInfo`. */
  Start: 0x01,
  /** Read an output stream. Header: fd, offset. Payload: process-addressed, rest = u32 window. */
  Read: 0x02,
  /** Flow control for a read: header offset = the stream offset the client has consumed. */
  Credit: 0x03,
  /** Abandon the call named by the header's call id. Answer: `Error` `aborted` (or `not_found`). */
  Cancel: 0x04,
  /** Acknowledge output. Header: fd, offset. Payload: process-addressed, no rest. */
  Ack: 0x05,
  /** Write stdin. Header: flags bit 0 = EOF, offset. Payload: process-addressed, rest = bytes. */
  Write: 0x06,
  /** Payload JSON `{ processId }`. Answer: `Result` with JSON `ExitStatus`. */
  Wait: 0x07,
  /** Payload JSON `{ processId }`. Answer: `Result` with JSON `ExitStatus` or `null`. */
  Poll: 0x08,
  /** Payload JSON `{ processId, signal }`. Answer: empty `Result`. */
  Signal: 0x09,
  /** Payload JSON `{ processId, size: { cols, rows } }`. Answer: empty `Result`. */
  Resize: 0x0a,
  /** Payload JSON `{ processId }`. Answer: `Result` with JSON `ProcessInfo`. */
  Get: 0x0b,
  /** Empty payload. Answer: `Result` with JSON `ProcessInfo[]`. */
  List: 0x0c,

  /** The answer of a call: JSON payload, or empty for calls that return nothing. */
  Result: 0x80,
  /** The call failed: JSON `{ code, message }`. Call id 0: a frame that named no call. */
  Error: 0x81,
  /** Output of a read. Header: fd, offset of the first payload byte. Payload: the bytes. */
  Output: 0x82,
  /** A read reached EOF. Header: fd, offset = the stream's final length. */
  End: 0x83,
  /** The answer of a write. Header: flags bit 0 = EOF accepted, offset = host input offset. */
  Written: 0x84,
} as const;

/** A value of {@link FrameType}. */
export type FrameType = (typeof FrameType)[keyof typeof FrameType];

/** Flag bits of the header's flags byte. */
export const FrameFlag = {
  /** `Write`: close stdin after these bytes. `Written`: the host has accepted EOF. */
  Eof: 0x01,
} as const;

const knownTypes: ReadonlySet<number> = new Set(Object.values(FrameType));

/** A decoded frame. `payload` is a view into the received bytes, not a copy. */
export interface Frame {
  readonly type: FrameType;
  readonly flags: number;
  readonly fd: number;
  readonly callId: number;
  readonly offset: number;
  readonly payload: Uint8Array;
}

/** Header fields of a frame to encode; absent fields are 0. */
export interface FrameHeader {
  readonly type: FrameType;
  readonly flags?: number;
  readonly fd?: number;
  readonly callId: number;
  readonly offset?: number;
}

const TWO_TO_32 = 2 ** 32;

/** Write a header into the first 16 bytes of `target`. */
export function writeHeader(target: Uint8Array, header: FrameHeader): void {
  const view = new DataView(target.buffer, target.byteOffset, HEADER_BYTES);
  const offset = header.offset ?? 0;
  view.setUint8(0, header.type);
  view.setUint8(1, header.flags ?? 0);
  view.setUint8(2, header.fd ?? 0);
  view.setUint8(3, 0);
  view.setUint32(4, header.callId);
  view.setUint32(8, Math.floor(offset / TWO_TO_32));
  view.setUint32(12, offset % TWO_TO_32);
}

/** A whole frame: header and payload in one new buffer. */
export function encodeFrame(header: FrameHeader, payload?: Uint8Array): Uint8Array {
  const frame = new Uint8Array(HEADER_BYTES + (payload?.byteLength ?? 0));
  writeHeader(frame, header);
  if (payload !== undefined) frame.set(payload, HEADER_BYTES);
  return frame;
}

/** The call id of a frame that may be malformed (0 when it is too short to carry one). */
export function peekCallId(bytes: Uint8Array): number {
  if (bytes.byteLength < 8) return 0;
  return new DataView(bytes.buffer, bytes.byteOffset, 8).getUint32(4);
}

function invalid(message: string): ProcwireError {
  return new ProcwireError(ErrorCode.InvalidArgument, message);
}

/**
 * Decode a frame. Throws `invalid_argument` for a frame shorter than a header, an unknown type,
 * a non-zero reserved byte or an offset past 2^53 - 1.
 */
export function decodeFrame(bytes: Uint8Array): Frame {
  if (bytes.byteLength < HEADER_BYTES) {
    throw invalid(`frame is ${bytes.byteLength} bytes, shorter than the ${HEADER_BYTES}-byte header`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, HEADER_BYTES);
  const type = view.getUint8(0);
  if (!knownTypes.has(type)) throw invalid(`unknown frame type 0x${type.toString(16).padStart(2, '0')}`);
  if (view.getUint8(3) !== 0) throw invalid('reserved header byte 3 must be 0');
  const high = view.getUint32(8);
  if (high >= 2 ** 21) throw invalid('offset is past 2^53 - 1');
  return {
    type: type as FrameType,
    flags: view.getUint8(1),
    fd: view.getUint8(2),
    callId: view.getUint32(4),
    offset: high * TWO_TO_32 + view.getUint32(12),
    payload: bytes.subarray(HEADER_BYTES),
  };
}
