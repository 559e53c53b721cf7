/** Memory readings taken after a full garbage collection, so figures are retained memory, not garbage. */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * The `gc` function. The bench re-runs itself and forks its server children with `--expose-gc`.
 * Exposing gc at runtime instead (the flag set late, `gc` taken from a new vm context) changes
 * V8's collection heuristics: an output-heavy run then made about three times the full
 * collections, and procwire rows, which allocate more small objects per chunk, paid for it more
 * than raw ones. So that is only a fallback for a process started without the flag.
 */
function garbageCollector(): () => void {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed !== undefined) return exposed;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

let collectGarbage: (() => void) | undefined;

/** Resident set size and V8 heap in use, in bytes. */
export interface MemoryReading {
  readonly rss: number;
  readonly heapUsed: number;
  readonly external: number;
}

/** Collect garbage (twice, so weak callbacks run) and read this process's memory. */
export function readMemoryAfterGc(): MemoryReading {
  collectGarbage ??= garbageCollector();
  collectGarbage();
  collectGarbage();
  const usage = process.memoryUsage();
  return { rss: usage.rss, heapUsed: usage.heapUsed, external: usage.external + usage.arrayBuffers };
}
