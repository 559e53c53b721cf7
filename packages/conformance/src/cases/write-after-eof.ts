/** Writing after `writeEof()` is a clear error; `writeEof()` itself is idempotent. */
import assert from 'node:assert/strict';
import { ErrorCode } from '@procwire/core';
import { expectProcwireError } from '../harness/expect-error.js';
import type { ConformanceCase } from '../harness/suite.js';

export const writeAfterEofCases: ConformanceCase = (suite) => {
  suite.test('stdin: write() after writeEof() throws failed_precondition', { timeoutMs: 20_000 }, async (context) => {
    const process = await context.client().exec(context.commands.cat());
    process.stdin.write('before');
    process.stdin.writeEof();
    await expectProcwireError(() => process.stdin.write('after'), ErrorCode.FailedPrecondition, 'write after writeEof()');
    process.stdin.writeEof();
    await process.stdin.drain();
    assert.equal(await process.stdout.read(), 'before');
    assert.equal(await process.wait(), 0);
  });
};
