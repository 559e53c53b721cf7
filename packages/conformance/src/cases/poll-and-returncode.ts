/** `poll()` and `returncode` before and after exit. */
import assert from 'node:assert/strict';
import { ErrorCode } from '@procwire/core';
import { expectProcwireError } from '../harness/expect-error.js';
import type { ConformanceCase } from '../harness/suite.js';

export const pollAndReturncodeCases: ConformanceCase = (suite) => {
  suite.test('poll: null while the process runs, its exit code after', { timeoutMs: 20_000 }, async (context) => {
    const process = await context.client().exec(context.commands.cat());
    assert.equal(await process.poll(), null);
    process.stdin.writeEof();
    await process.stdin.drain();
    assert.equal(await process.wait(), 0);
    assert.equal(await process.poll(), 0);
  });

  suite.test('returncode: throws failed_precondition while the process runs', { timeoutMs: 20_000 }, async (context) => {
    const process = await context.client().exec(context.commands.cat());
    await expectProcwireError(() => process.returncode, ErrorCode.FailedPrecondition, 'returncode while running');
    process.stdin.writeEof();
    assert.equal(await process.wait(), 0);
    assert.equal(process.returncode, 0);
  });
};
