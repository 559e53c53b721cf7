/** Memory readings taken after a full garbage collection, so figures are retained memory, not garbage. */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

// `pnpm bench` runs plain `node`, so expose gc at runtime rather than through a flag on the command line.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

/** Resident set size and V8 heap in use, in bytes. */
export interface MemoryReading {
  readonly rss: number;
  readonly heapUsed: number;
  readonly external: number;
}

/** Collect garbage (twice, so weak callbacks run) and read this process's memory. */
export function readMemoryAfterGc(): MemoryReading {
  collectGarbage();
  collectGarbage();
  const usage = process.memoryUsage();
  return { rss: usage.rss, heapUsed: usage.heapUsed, external: usage.external + usage.arrayBuffers };
}
