/**
 * Throws faults at a proxy while a transfer runs: cuts, stalls and slow-link periods at seeded
 * random moments, counted so each run can print what it did.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { FaultProxy } from '@procwire/fault-proxy';
import { between, seededRandom } from './seeded.js';

/** What a schedule did. */
export interface FaultCounts {
  cutActions: number;
  connectionsCut: number;
  stalls: number;
  slowPeriods: number;
}

/**
 * Run faults against `proxy` until `done` settles: every 80-300 ms, a cut (half the time), a stall
 * of 100-500 ms, or a slow link (64-512 KiB/s) for 200-600 ms. The first fault is always a cut,
 * 30-80 ms in, so that every transfer meets at least one.
 */
export async function runFaults(proxy: FaultProxy, seed: number, done: Promise<unknown>): Promise<FaultCounts> {
  const random = seededRandom(seed);
  const counts: FaultCounts = { cutActions: 0, connectionsCut: 0, stalls: 0, slowPeriods: 0 };
  let finished = false;
  void done.finally(() => {
    finished = true;
  });
  let first = true;
  while (!finished) {
    await sleep(first ? between(random, 30, 80) : between(random, 80, 300));
    if (finished) break;
    const roll = first ? 0 : random();
    first = false;
    if (roll < 0.5) {
      counts.cutActions++;
      counts.connectionsCut += proxy.cutAll();
    } else if (roll < 0.75) {
      counts.stalls++;
      proxy.setStall(true);
      await sleep(between(random, 100, 500));
      proxy.setStall(false);
    } else {
      counts.slowPeriods++;
      proxy.setRate(between(random, 64, 512) * 1024);
      await sleep(between(random, 200, 600));
      proxy.setRate(undefined);
    }
  }
  proxy.setStall(false);
  proxy.setRate(undefined);
  return counts;
}
