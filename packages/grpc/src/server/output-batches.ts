/**
 * Groups a host's output chunks into batches of up to `maxBytes`, taking only chunks that are
 * ready now: a fast stream (a pipe read is 64 KiB at most) then costs one gRPC message, one
 * client wake-up and one acknowledgement per batch, while a lone chunk (a keystroke's echo) goes
 * out without waiting for company.
 */
import type { OutputChunk } from '@procwire/core/transport';
import type { OutputBatch } from '../wire/chunk-codecs.js';

const notReady = Symbol('notReady');

/** Resolves with `notReady` after the event loop's current turn: whatever is ready has resolved by then. */
const afterThisTurn = () => new Promise<typeof notReady>((resolve) => setImmediate(resolve, notReady));

/**
 * Batches of contiguous chunks from `chunks`, each at most `maxBytes` long (a larger chunk is cut
 * into views, never copied). Ending the iteration early ends `chunks` too.
 */
export async function* outputBatches(
  chunks: AsyncIterable<OutputChunk>,
  maxBytes: number,
): AsyncGenerator<OutputBatch, void, undefined> {
  const iterator = chunks[Symbol.asyncIterator]();
  let pending: Promise<IteratorResult<OutputChunk>> | undefined;
  let finished = false;
  try {
    let parts: Uint8Array[] = [];
    let start = 0;
    let size = 0;
    // One end-of-turn marker per batch, not per chunk: a fast stream has several chunks per batch,
    // and each marker is a promise and an Immediate. Every batch sent starts the next one afresh.
    let turnEnd: Promise<typeof notReady> | undefined;
    for (;;) {
      pending ??= iterator.next();
      // Wait for a first chunk; after that, take only chunks that are already there.
      if (size > 0) turnEnd ??= afterThisTurn();
      const next = turnEnd === undefined ? await pending : await Promise.race([pending, turnEnd]);
      if (next === notReady) turnEnd = undefined;
      if (next !== notReady) pending = undefined;
      if (next !== notReady && next.done === true) finished = true;
      const chunk = next === notReady || next.done === true ? undefined : next.value;
      if (chunk !== undefined && size > 0 && chunk.offset !== start + size) {
        // Not contiguous (a host may repeat bytes): send what we have, then start over from this one.
        yield { offset: start, parts };
        parts = [];
        size = 0;
        turnEnd = undefined;
      }
      if (chunk !== undefined) {
        if (size === 0) start = chunk.offset;
        let data = chunk.data;
        while (size + data.byteLength > maxBytes) {
          const room = maxBytes - size;
          parts.push(data.subarray(0, room));
          yield { offset: start, parts };
          start += maxBytes;
          parts = [];
          size = 0;
          turnEnd = undefined;
          data = data.subarray(room);
        }
        if (data.byteLength > 0) {
          parts.push(data);
          size += data.byteLength;
        }
        if (size < maxBytes && !finished) continue;
      }
      if (size > 0) {
        yield { offset: start, parts };
        parts = [];
        size = 0;
        turnEnd = undefined;
      }
      if (finished) return;
    }
  } finally {
    if (!finished) {
      const closing = iterator.return?.();
      if (pending === undefined) await closing;
      else {
        // A read still waits on the host (it rejects once the call's signal aborts): the generator
        // ends after it, and nobody awaits either.
        pending.catch(() => {});
        closing?.catch(() => {});
      }
    }
  }
}
