/**
 * Env entries counted in an encoded request, without decoding it. Decoding builds objects per
 * entry (about 4 µs each with the checks that follow), so a Start inside the byte limits but made
 * of tiny entries would hold the event loop for a quarter of a second: the server counts first and
 * refuses before the decoder runs (see `StartLimits.maxEnvEntries`).
 */

/** Protobuf wire types. */
const VARINT = 0;
const I64 = 1;
const LEN = 2;
const I32 = 5;

/** `StartRequest.env` (a map: one length-delimited entry per key). */
const START_ENV_FIELD = 4;
/** `ExecRequest.start` and, inside it, `ExecStart.start`. */
const EXEC_START_PATH = [1, 1] as const;

/** Env entries of an encoded `StartRequest`. */
export function startEnvEntries(bytes: Uint8Array): number {
  return countNested(bytes, 0, bytes.byteLength, [], START_ENV_FIELD);
}

/** Env entries of the `StartRequest` an encoded `ExecRequest` carries (0 for its other messages). */
export function execEnvEntries(bytes: Uint8Array): number {
  return countNested(bytes, 0, bytes.byteLength, EXEC_START_PATH, START_ENV_FIELD);
}

/**
 * Occurrences of field `leaf` in the message at `path` (field numbers of nested messages) within
 * `bytes[from, to)`. Every occurrence of a nested message counts, since the decoder merges repeated
 * ones. Malformed input ends the count early: the decoder then reports it.
 */
function countNested(bytes: Uint8Array, from: number, to: number, path: readonly number[], leaf: number): number {
  const cursor = { position: from };
  let count = 0;
  while (cursor.position < to) {
    const tag = readVarint(bytes, cursor, to);
    if (tag === undefined) return count;
    const field = Math.floor(tag / 8);
    const wireType = tag % 8;
    if (wireType === VARINT) {
      if (readVarint(bytes, cursor, to) === undefined) return count;
    } else if (wireType === I64) {
      cursor.position += 8;
    } else if (wireType === I32) {
      cursor.position += 4;
    } else if (wireType === LEN) {
      const length = readVarint(bytes, cursor, to);
      if (length === undefined || cursor.position + length > to) return count;
      const start = cursor.position;
      cursor.position += length;
      if (path.length === 0) {
        if (field === leaf) count++;
      } else if (field === path[0]) {
        count += countNested(bytes, start, start + length, path.slice(1), leaf);
      }
    } else {
      return count;
    }
  }
  return count;
}

/** A varint at `cursor.position` (advanced past it), or `undefined` when it runs past `to`. */
function readVarint(bytes: Uint8Array, cursor: { position: number }, to: number): number | undefined {
  let value = 0;
  let scale = 1;
  for (let index = 0; index < 10 && cursor.position < to; index++) {
    const byte = bytes[cursor.position++]!;
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) return value;
    scale *= 128;
  }
  return undefined;
}
