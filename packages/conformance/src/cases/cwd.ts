/** `cwd` is the process's working directory. */
import assert from 'node:assert/strict';
import type { ConformanceCase } from '../harness/suite.js';

export const cwdCases: ConformanceCase = (suite) => {
  suite.test('cwd: the process starts in the directory given', { timeoutMs: 20_000 }, async (context) => {
    const process = await context.client().exec(context.commands.printCwd(), { cwd: context.host.directory });
    assert.equal(await process.stdout.read(), `${context.host.directory}\n`);
    assert.equal(await process.wait(), 0);
  });
};
