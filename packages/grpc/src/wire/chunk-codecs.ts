/**
 * Hand-written codecs for the two messages on the byte path (OutputChunk, WriteInputRequest).
 * The generated ones copy `data` twice per message (into the writer, then `Buffer.from`); these
 * encode with one copy into an exactly sized buffer and decode without copying at all (the data is
 * a view of the received message). The bytes on the wire are the same protobuf encoding.
 */
import { BinaryReader, BinaryWriter } from '@bufbuild/protobuf/wire';
import type { OutputChunk, WriteInputRequest } from '../gen/procwire/v1/procwire.js';

const empty = Buffer.alloc(0);

/** A Buffer over the same memory as `data` (no copy). */
export function asBuffer(data: Uint8Array): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

function withData(header: Uint8Array, data: Uint8Array, trailer?: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(header.byteLength + data.byteLength + (trailer?.byteLength ?? 0));
  out.set(header, 0);
  out.set(data, header.byteLength);
  if (trailer !== undefined) out.set(trailer, header.byteLength + data.byteLength);
  return out;
}

/** Encodes an OutputChunk (field 1 offset, field 2 data) with one copy of the data. */
export function encodeOutputChunk(chunk: OutputChunk): Buffer {
  const header = new BinaryWriter();
  if (chunk.offset !== 0) header.uint32(8).uint64(chunk.offset);
  if (chunk.data.byteLength !== 0) header.uint32(18).uint32(chunk.data.byteLength);
  return withData(header.finish(), chunk.data);
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

/** Encodes a WriteInputRequest (1 process_id, 2 offset, 3 data, 4 eof) with one copy of the data. */
export function encodeWriteInputRequest(request: WriteInputRequest): Buffer {
  const header = new BinaryWriter();
  if (request.processId !== '') header.uint32(10).string(request.processId);
  if (request.offset !== 0) header.uint32(16).uint64(request.offset);
  if (request.data.byteLength !== 0) header.uint32(26).uint32(request.data.byteLength);
  const trailer = request.eof ? new BinaryWriter().uint32(32).bool(true).finish() : undefined;
  return withData(header.finish(), request.data, trailer);
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

function safeNumber(value: bigint | string | number, field: string): number {
  const number = Number(value);
  if (!Number.isSafeInteger(number)) throw new RangeError(`${field} ${String(value)} is above 2^53 - 1`);
  return number;
}
