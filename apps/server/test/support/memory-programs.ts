/** Fake executables for `memoryTransport()` in the app's tests. */
import type { MemoryProgram } from '@procwire/core';

const waitForKill = (signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });

/** `echo a b` prints `a b\n`; `cat` copies stdin to stdout; `sleep` runs until killed. */
export const memoryPrograms: Record<string, MemoryProgram> = {
  echo: async ({ argv, stdout }) => {
    await stdout.write(`${argv.slice(1).join(' ')}\n`);
    return 0;
  },
  cat: async ({ stdin, stdout }) => {
    for await (const chunk of stdin) await stdout.write(chunk);
    return 0;
  },
  sleep: async ({ killed }) => {
    await waitForKill(killed);
    return 0;
  },
};
