/**
 * Codecs for the Exec call's events. Output events (the byte path) are written by hand with one
 * copy of the data and decoded as views, as ./chunk-codecs.ts does for OutputChunk; the other
 * events (started, input, exit) use the generated code. The bytes on the wire are the same
 * protobuf encoding either way.
 */
import { BinaryReader } from '@bufbuild/protobuf/wire';
import { ExecEvent, type ExecOutput } from '../gen/procwire/v1/procwire.js';
import { asBuffer } from './chunk-codecs.js';

const empty = Buffer.alloc(0);

/** An output event whose data is several contiguous pieces, joined while encoding. */
export interface ExecOutputBatch {
  readonly fd: number;
  readonly offset: number;
  readonly parts: readonly Uint8Array[];
  readonly eof: boolean;
}

/** What the server sends: a generated event, or an output batch. */
export type ExecEventOut = ExecEvent | { readonly outputBatch: ExecOutputBatch };

function varintLength(value: number): number {
  let length = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 0x80);
    length++;
  }
  return length;
}

// Division, not bit shifts: offsets go past 2^32 (and stay below 2^53).
function writeVarint(out: Buffer, position: number, value: number): number {
  while (value >= 0x80) {
    out[position++] = (value % 0x80) | 0x80;
    value = Math.floor(value / 0x80);
  }
  out[position++] = value;
  return position;
}

let scratch = Buffer.allocUnsafe(0);

/**
 * Encodes a server event. Output goes into a buffer reused from message to message (grpc-js copies
 * a serialized response into its frame before `serialize` returns, see encodeOutputChunkTransient).
 */
export function encodeExecEventTransient(event: ExecEventOut): Buffer {
  if (!('outputBatch' in event)) {
    if (event.output !== undefined) return encodeExecEventTransient({ outputBatch: { ...event.output, parts: [event.output.data] } });
    return Buffer.from(ExecEvent.encode(event).finish());
  }
  const { fd, offset, parts, eof } = event.outputBatch;
  let length = 0;
  for (const part of parts) length += part.byteLength;
  // ExecOutput: 1 fd (varint), 2 offset (varint), 3 data (bytes), 4 eof (bool).
  const inner =
    (fd === 0 ? 0 : 1 + varintLength(fd)) +
    (offset === 0 ? 0 : 1 + varintLength(offset)) +
    (length === 0 ? 0 : 1 + varintLength(length) + length) +
    (eof ? 2 : 0);
  const size = 1 + varintLength(inner) + inner;
  if (scratch.byteLength < size) scratch = Buffer.allocUnsafe(Math.max(size, 2 * scratch.byteLength));
  const out = scratch.subarray(0, size);
  let position = 0;
  out[position++] = 18; // ExecEvent field 2 (output), length-delimited
  position = writeVarint(out, position, inner);
  if (fd !== 0) {
    out[position++] = 8;
    position = writeVarint(out, position, fd);
  }
  if (offset !== 0) {
    out[position++] = 16;
    position = writeVarint(out, position, offset);
  }
  if (length !== 0) {
    out[position++] = 26;
    position = writeVarint(out, position, length);
    for (const part of parts) {
      out.set(part, position);
      position += part.byteLength;
    }
  }
  if (eof) {
    out[position++] = 32;
    out[position++] = 1;
  }
  return out;
}

/** Decodes a server event; an output event's `data` is a view of `message`. */
export function decodeExecEvent(message: Buffer): ExecEvent {
  // An output event is one field 2; anything else goes to the generated decoder.
  if (message[0] !== 18) return ExecEvent.decode(message);
  const reader = new BinaryReader(message);
  let output: ExecOutput | undefined;
  const event: ExecEvent = {};
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    if (tag === 18) output = decodeExecOutput(asBuffer(reader.bytes()));
    else return ExecEvent.decode(message);
  }
  if (output !== undefined) event.output = output;
  return event;
}

function decodeExecOutput(message: Buffer): ExecOutput {
  const reader = new BinaryReader(message);
  const output: ExecOutput = { fd: 0, offset: 0, data: empty, eof: false };
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    if (tag === 8) output.fd = reader.uint32();
    else if (tag === 16) {
      const offset = Number(reader.uint64());
      if (!Number.isSafeInteger(offset)) throw new RangeError('offset is above 2^53 - 1');
      output.offset = offset;
    } else if (tag === 26) output.data = asBuffer(reader.bytes());
    else if (tag === 32) output.eof = reader.bool();
    else reader.skip(tag & 7);
  }
  return output;
}
