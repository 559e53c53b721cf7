/** Node stream converters for readers and writers (`pipeline()`, `.pipe()`, fs streams). */
import { Readable, Writable } from 'node:stream';
import type { StreamReader, StreamWriter } from '../api.js';

/** Piece size for big Node writes, so no single `write()` passes the writer's bound. */
const PIECE_BYTES = 1024 * 1024;
/** Unsent bytes above which the Node stream waits for a drain (its backpressure). */
const HIGH_WATER_BYTES = 4 * 1024 * 1024;

/**
 * A Node `Readable` of a process's output (bytes; text readers' strings are encoded as UTF-8).
 * Pull-based: Node reads only as its consumer does, so backpressure reaches the process. It is
 * the reader's one consumer.
 */
export function toNodeReadable(reader: StreamReader<string | Uint8Array>): Readable {
  return Readable.from(reader, { objectMode: false });
}

/**
 * A Node `Writable` into a process's stdin: `end()` sends EOF, and the stream finishes once the
 * host has accepted everything.
 */
export function toNodeWritable(writer: StreamWriter): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      writeInPieces(writer, chunk).then(() => callback(), callback);
    },
    final(callback) {
      try {
        writer.writeEof();
      } catch (error) {
        callback(error as Error);
        return;
      }
      writer.drain().then(() => callback(), callback);
    },
  });
}

async function writeInPieces(writer: StreamWriter, chunk: Uint8Array): Promise<void> {
  for (let at = 0; at < chunk.byteLength; at += PIECE_BYTES) {
    if (writer.bufferedBytes >= HIGH_WATER_BYTES) await writer.drain();
    writer.write(chunk.subarray(at, at + PIECE_BYTES));
  }
  if (writer.bufferedBytes >= HIGH_WATER_BYTES) await writer.drain();
}
