/** CPU time of a process as Linux accounts it (the echo diagnostics read it per round). */
import { readdirSync, readFileSync } from 'node:fs';

/** CPU time (ms) of every thread of `pid` so far, from /proc/<pid>/task/<tid>/schedstat; NaN when unknown. */
export function cpuMs(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  let ns = 0;
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    }
  } catch {
    return Number.NaN;
  }
  return ns / 1e6;
}
