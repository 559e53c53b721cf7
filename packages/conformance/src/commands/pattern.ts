/**
 * The sequence pattern: the decimal numbers 1, 2, 3, ... each followed by `\n` (what
 * `seq 1 N` prints). Every line differs, so a lost, repeated or reordered piece of a large
 * transfer shows up at the first offset where it happened, which a checksum alone cannot tell.
 */
import assert from 'node:assert/strict';

const NEWLINE = 10;
const EMPTY = new Uint8Array(0);

/**
 * The sequence pattern, produced piece by piece: `next(n)` gives the n bytes after the ones
 * already given, so a 64 MiB stream is made or checked without holding it.
 */
export class PatternStream {
  private nextNumber = 1;
  /** The part of the last line that did not fit in the previous piece. */
  private carry: Uint8Array = EMPTY;

  /** The next `length` bytes of the pattern. */
  next(length: number): Uint8Array {
    const piece = new Uint8Array(length);
    let position = Math.min(this.carry.length, length);
    piece.set(this.carry.subarray(0, position));
    this.carry = this.carry.subarray(position);
    while (position < length) {
      const digits = String(this.nextNumber++);
      if (position + digits.length + 1 <= length) {
        for (let index = 0; index < digits.length; index++) piece[position++] = digits.charCodeAt(index);
        piece[position++] = NEWLINE;
      } else {
        const line = new TextEncoder().encode(`${digits}\n`);
        const fits = length - position;
        piece.set(line.subarray(0, fits), position);
        position = length;
        this.carry = line.subarray(fits);
      }
    }
    return piece;
  }
}

/** The first `length` bytes of the sequence pattern. */
export function patternBytes(length: number): Uint8Array {
  return new PatternStream().next(length);
}

/**
 * Checks a stream chunk by chunk against the sequence pattern, so a 64 MiB transfer is compared
 * byte for byte without holding it, and a failure names the first offset that differs.
 */
export class PatternVerifier {
  /** Bytes checked so far. */
  offset = 0;
  private readonly expected = new PatternStream();

  /** `what` names the stream in failure messages. */
  constructor(private readonly what: string) {}

  /** Check the next chunk; throws an assertion error at the first wrong byte. */
  push(chunk: Uint8Array): void {
    const expected = this.expected.next(chunk.length);
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
