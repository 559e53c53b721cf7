/**
 * A FIFO of bytes for the stdin writer: many tiny writes (keystrokes, a line at a time) are packed
 * into shared blocks, so the queue's size in entries stays small and every operation stays cheap.
 * A shared block is sized by what is queued: a keystroke into an empty queue gets a small one,
 * a burst of small writes gets blocks that double up to the largest size.
 */

/** Writes smaller than this are copied into shared blocks. */
const SMALL_WRITE_BYTES = 16 * 1024;
/** The smallest and the largest shared block. */
const MIN_BLOCK_BYTES = 256;
const MAX_BLOCK_BYTES = 64 * 1024;

interface Block {
  readonly data: Uint8Array;
  start: number;
  end: number;
  /** True for a shared block that later small writes may append to. */
  readonly shared: boolean;
}

export class ByteQueue {
  private blocks: Block[] = [];
  private head = 0;
  private total = 0;

  /** Bytes queued. */
  get size(): number {
    return this.total;
  }

  /** Appends a copy of `bytes` (the caller may reuse its buffer). */
  push(bytes: Uint8Array): void {
    if (bytes.byteLength === 0) return;
    this.total += bytes.byteLength;
    if (bytes.byteLength >= SMALL_WRITE_BYTES) {
      this.blocks.push({ data: bytes.slice(), start: 0, end: bytes.byteLength, shared: false });
      return;
    }
    const tail = this.blocks.length > this.head ? this.blocks[this.blocks.length - 1] : undefined;
    if (tail?.shared === true && tail.data.byteLength - tail.end >= bytes.byteLength) {
      // Bytes already handed out by peek() lie before `end`; appending never changes them.
      tail.data.set(bytes, tail.end);
      tail.end += bytes.byteLength;
      return;
    }
    // Not a fixed 64 KiB: a block per keystroke of that size was most of an interactive client's
    // garbage, and its zero-filling most of the time of write().
    const data = new Uint8Array(blockBytesFor(this.total));
    data.set(bytes);
    this.blocks.push({ data, start: 0, end: bytes.byteLength, shared: true });
  }

  /** The first bytes, at most `limit`, as one array, without removing them. */
  peek(limit: number): Uint8Array {
    const size = Math.min(limit, this.total);
    const first = this.blocks[this.head];
    if (first === undefined || size === 0) return new Uint8Array(0);
    if (first.end - first.start >= size) return first.data.subarray(first.start, first.start + size);
    const joined = new Uint8Array(size);
    let at = 0;
    for (let i = this.head; at < size; i++) {
      const block = this.blocks[i]!;
      const take = Math.min(block.end - block.start, size - at);
      joined.set(block.data.subarray(block.start, block.start + take), at);
      at += take;
    }
    return joined;
  }

  /** Removes the first `count` bytes. */
  drop(count: number): void {
    count = Math.min(count, this.total);
    this.total -= count;
    while (count > 0) {
      const block = this.blocks[this.head]!;
      const take = Math.min(block.end - block.start, count);
      block.start += take;
      count -= take;
      if (block.start === block.end) this.head++;
    }
    if (this.head === this.blocks.length) {
      this.blocks = [];
      this.head = 0;
    } else if (this.head > 64 && this.head * 2 > this.blocks.length) {
      this.blocks = this.blocks.slice(this.head);
      this.head = 0;
    }
  }
}

/** The size of a new shared block when `queued` bytes (the new write included) are queued. */
function blockBytesFor(queued: number): number {
  let size = MIN_BLOCK_BYTES;
  while (size < queued && size < MAX_BLOCK_BYTES) size *= 2;
  return size;
}
