/** The process's own exit code comes back unchanged. */
import assert from 'node:assert/strict';
import type { ConformanceCase } from '../harness/suite.js';

export const exitCodeCases: ConformanceCase = (suite) => {
  for (const code of [0, 1, 255]) {
    suite.test(`exit code: ${code} comes back from wait(), poll() and returncode`, { timeoutMs: 20_000 }, async (context) => {
      const process = await context.client().exec(context.commands.exitWith(code));
      assert.equal(await process.wait(), code);
      assert.equal(await process.poll(), code);
      assert.equal(process.returncode, code);
      const status = await process.waitStatus();
      assert.equal(status.code, code);
      assert.equal(status.signal, undefined, 'a process that exited by itself reports a signal');
    });
  }
};
