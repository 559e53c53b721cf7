/**
 * The sequence pattern: the decimal numbers 1, 2, 3, ... each followed by `\n` (what
 * `seq 1 N` prints). Every line differs, so a lost, repeated or reordered piece of a large
 * transfer shows up at the first offset where it happened, which a checksum alone cannot tell.
 */
import assert from 'node:assert/strict';

let cache = new Uint8Array(0);
let cacheNextNumber = 1;
let cacheLength = 0;

/** The first `length` bytes of the sequence pattern (a view into a shared cache: do not modify it). */
export function patternBytes(length: number): Uint8Array {
  if (length > cacheLength) growPattern(length);
  return cache.subarray(0, length);
}

function growPattern(length: number): void {
  const grown = new Uint8Array(Math.max(length + 16, cache.length * 2, 64 * 1024));
  grown.set(cache.subarray(0, cacheLength));
  let position = cacheLength;
  let next = cacheNextNumber;
  // Fill the whole new capacity with whole lines, so the next growth continues from `next`.
  for (let digits = String(next); position + digits.length + 1 <= grown.length; digits = String(++next)) {
    for (let index = 0; index < digits.length; index++) grown[position++] = digits.charCodeAt(index);
    grown[position++] = 10;
  }
  cache = grown;
  cacheLength = position;
  cacheNextNumber = next;
}

/**
 * Checks a stream chunk by chunk against the sequence pattern, so a 64 MiB transfer is compared
 * byte for byte without holding it, and a failure names the first offset that differs.
 */
export class PatternVerifier {
  /** Bytes checked so far. */
  offset = 0;

  constructor(private readonly what: string) {}

  /** Check the next chunk; throws an assertion error at the first wrong byte. */
  push(chunk: Uint8Array): void {
    const expected = patternBytes(this.offset + chunk.length).subarray(this.offset);
    if (!Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).equals(expected)) {
      let index = 0;
      while (chunk[index] === expected[index]) index++;
      const at = this.offset + index;
      assert.fail(
        `${this.what}: byte ${at} differs from the pattern: got ${snippet(chunk, index)}, expected ${snippet(expected, index)}`,
      );
    }
    this.offset += chunk.length;
  }

  /** Assert that exactly `length` bytes arrived. */
  end(length: number): void {
    assert.equal(this.offset, length, `${this.what}: got ${this.offset} bytes, expected ${length}`);
  }
}

function snippet(bytes: Uint8Array, index: number): string {
  return JSON.stringify(Buffer.from(bytes.subarray(index, index + 16)).toString('latin1'));
}
