/**
 * What this client's readers have handed to their consumers, per process and stream. Acks reach
 * the host a few milliseconds late (they are batched), so `get(id)` on the same client starts its
 * readers here when that is further than the host's `acknowledged`: it continues exactly after
 * what this client consumed.
 */
import type { OutputFd } from '../transport/contract.js';

/** Processes remembered; past this the oldest are forgotten (the host's offsets are used). */
const maxRemembered = 4096;

export class ConsumedOffsets {
  /** processId -> { 1: stdout's offset, 2: stderr's offset }. */
  private readonly offsets = new Map<string, Record<OutputFd, number>>();

  /** A reader of `processId`'s `fd` handed everything before `offset` to its consumer. */
  delivered(processId: string, fd: OutputFd, offset: number): void {
    let pair = this.offsets.get(processId);
    if (pair === undefined) {
      pair = { 1: 0, 2: 0 };
      this.offsets.set(processId, pair);
      if (this.offsets.size > maxRemembered) this.offsets.delete(this.offsets.keys().next().value as string);
    }
    if (offset > pair[fd]) pair[fd] = offset;
  }

  /** Where a new reader of `fd` starts: the further of the host's offset and this client's. */
  startOffset(processId: string, fd: OutputFd, hostAcknowledged: number): number {
    const pair = this.offsets.get(processId);
    return pair === undefined ? hostAcknowledged : Math.max(hostAcknowledged, pair[fd]);
  }
}
