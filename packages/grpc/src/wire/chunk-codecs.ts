/**
 * Hand-written codecs for the messages on the byte path (OutputChunk, WriteInputRequest, InputCall).
 * The generated ones copy `data` twice per message (into the writer, then `Buffer.from`); these
 * encode with one copy into an exactly sized buffer and decode without copying at all (the data is
 * a view of the received message). The bytes on the wire are the same protobuf encoding.
 */
import { BinaryReader, BinaryWriter } from '@bufbuild/protobuf/wire';
import type { InputCall, OutputChunk, WriteInputRequest } from '../gen/procwire/v1/procwire.js';

const empty = Buffer.alloc(0);

/** A Buffer over the same memory as `data` (no copy). */
export function asBuffer(data: Uint8Array): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

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

/**
 * Several contiguous output pieces sent as one OutputChunk message (the server batches what the
 * host has ready, so a fast stream costs one message per ~1 MiB rather than one per pipe read).
 * `parts` are joined while encoding: one copy, as for a single chunk.
 */
export interface OutputBatch {
  readonly offset: number;
  readonly parts: readonly Uint8Array[];
}

/** Encodes an OutputChunk (field 1 offset, field 2 data) with one copy of the data. */
export function encodeOutputChunk(chunk: OutputChunk | OutputBatch): Buffer {
  return writeOutputChunk(chunk, (size) => Buffer.allocUnsafe(size));
}

let scratch = Buffer.allocUnsafe(0);

/**
 * {@link encodeOutputChunk} for the server's responses: the message is written into one buffer
 * reused from message to message, and a view of it is returned. grpc-js copies a serialized
 * response into its own frame buffer before its call to `serialize` returns (serializeMessage in
 * server-interceptors, grpc-js 1.14), so the next message may overwrite this one. On a fast stream
 * that saves allocating (and collecting) a buffer the size of each message: up to 1 MiB each.
 */
export function encodeOutputChunkTransient(chunk: OutputChunk | OutputBatch): Buffer {
  return writeOutputChunk(chunk, (size) => {
    if (scratch.byteLength < size) scratch = Buffer.allocUnsafe(Math.max(size, 2 * scratch.byteLength));
    return scratch.subarray(0, size);
  });
}

function writeOutputChunk(chunk: OutputChunk | OutputBatch, allocate: (size: number) => Buffer): Buffer {
  const { offset } = chunk;
  const parts = 'parts' in chunk ? chunk.parts : [chunk.data];
  let length = 0;
  for (const part of parts) length += part.byteLength;
  const size =
    (offset === 0 ? 0 : 1 + varintLength(offset)) + (length === 0 ? 0 : 1 + varintLength(length) + length);
  const out = allocate(size);
  let position = 0;
  if (offset !== 0) {
    out[position++] = 8;
    position = writeVarint(out, position, offset);
  }
  if (length !== 0) {
    out[position++] = 18;
    position = writeVarint(out, position, length);
    for (const part of parts) {
      out.set(part, position);
      position += part.byteLength;
    }
  }
  return out;
}

/** Decodes an OutputChunk; `data` is a view of `message`. */
export function decodeOutputChunk(message: Buffer): OutputChunk {
  const reader = new BinaryReader(message);
  const chunk: OutputChunk = { offset: 0, data: empty };
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    if (tag === 8) chunk.offset = safeNumber(reader.uint64(), 'offset');
    else if (tag === 18) chunk.data = asBuffer(reader.bytes());
    else reader.skip(tag & 7);
  }
  return chunk;
}

/** The bytes of a WriteInputRequest before `data`, and the size of the whole message. */
function writeInputLayout(request: WriteInputRequest): { head: Uint8Array; size: number } {
  const header = new BinaryWriter();
  if (request.processId !== '') header.uint32(10).string(request.processId);
  if (request.offset !== 0) header.uint32(16).uint64(request.offset);
  if (request.data.byteLength !== 0) header.uint32(26).uint32(request.data.byteLength);
  const head = header.finish();
  return { head, size: head.byteLength + request.data.byteLength + (request.eof ? 2 : 0) };
}

/** Writes a WriteInputRequest laid out by {@link writeInputLayout} into `out` at `position`. */
function writeInputInto(out: Buffer, position: number, request: WriteInputRequest, head: Uint8Array): void {
  out.set(head, position);
  out.set(request.data, position + head.byteLength);
  if (request.eof) out.set([32, 1], position + head.byteLength + request.data.byteLength);
}

/** Encodes a WriteInputRequest (1 process_id, 2 offset, 3 data, 4 eof) with one copy of the data. */
export function encodeWriteInputRequest(request: WriteInputRequest): Buffer {
  const { head, size } = writeInputLayout(request);
  const out = Buffer.allocUnsafe(size);
  writeInputInto(out, 0, request, head);
  return out;
}

/** Decodes a WriteInputRequest; `data` is a view of `message`. */
export function decodeWriteInputRequest(message: Buffer): WriteInputRequest {
  const reader = new BinaryReader(message);
  const request: WriteInputRequest = { processId: '', offset: 0, data: empty, eof: false };
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    if (tag === 10) request.processId = reader.string();
    else if (tag === 16) request.offset = safeNumber(reader.uint64(), 'offset');
    else if (tag === 26) request.data = asBuffer(reader.bytes());
    else if (tag === 32) request.eof = reader.bool();
    else reader.skip(tag & 7);
  }
  return request;
}

/**
 * A decoded InputCall. `invalid` says why `write` could not be decoded although `call_id` could,
 * so the server can fail that one write (by its id) rather than the whole call.
 */
export interface DecodedInputCall extends InputCall {
  readonly invalid?: string;
}

/** Encodes an InputCall (1 call_id, 2 write) with one copy of the data. */
export function encodeInputCall(call: InputCall): Buffer {
  const prefix = new BinaryWriter();
  if (call.callId !== 0) prefix.uint32(8).uint64(call.callId);
  const layout = call.write === undefined ? undefined : writeInputLayout(call.write);
  if (layout !== undefined) prefix.uint32(18).uint32(layout.size);
  const head = prefix.finish();
  const out = Buffer.allocUnsafe(head.byteLength + (layout?.size ?? 0));
  out.set(head, 0);
  if (call.write !== undefined && layout !== undefined) writeInputInto(out, head.byteLength, call.write, layout.head);
  return out;
}

/** Decodes an InputCall; `write.data` is a view of `message`. */
export function decodeInputCall(message: Buffer): DecodedInputCall {
  const reader = new BinaryReader(message);
  let callId = 0;
  let write: Buffer | undefined;
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    if (tag === 8) callId = safeNumber(reader.uint64(), 'call_id');
    else if (tag === 18) write = asBuffer(reader.bytes());
    else reader.skip(tag & 7);
  }
  if (write === undefined) return { callId };
  try {
    return { callId, write: decodeWriteInputRequest(write) };
  } catch (error) {
    return { callId, invalid: `the write could not be decoded: ${error instanceof Error ? error.message : String(error)}` };
  }
}

function safeNumber(value: bigint | string | number, field: string): number {
  const number = Number(value);
  if (!Number.isSafeInteger(number)) throw new RangeError(`${field} ${String(value)} is above 2^53 - 1`);
  return number;
}
