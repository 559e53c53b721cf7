/** Every check prints what it tried and what it found, so the figures can go into BENCHMARKS.md. */

/** Print one line prefixed with the suite's name (node:test shows it with the test's output). */
export function report(line: string): void {
  console.log(`[reliability] ${line}`);
}

/** Bytes as MiB with two decimals. */
export function mib(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(2)} MiB`;
}
