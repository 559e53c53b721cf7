/** `timeoutMs` kills the process; `wait()` rejects with `timeout` carrying the exit code. */
import assert from 'node:assert/strict';
import { ErrorCode } from '@procwire/core';
import { expectProcwireError } from '../harness/expect-error.js';
import type { ConformanceCase } from '../harness/suite.js';

export const timeoutCases: ConformanceCase = (suite) => {
  suite.test('timeout: wait() rejects with "timeout" carrying the exit code', { timeoutMs: 20_000 }, async (context) => {
    const process = await context.client().exec(context.commands.sleep(60), { timeoutMs: 500 });
    const error = await expectProcwireError(() => process.wait(), ErrorCode.Timeout, 'wait() after timeoutMs');
    assert.equal(typeof error.exitCode, 'number', 'the timeout error carries no exitCode');
    assert.ok((error.exitCode ?? 0) > 128, `exitCode ${error.exitCode} is not that of a killed process`);
    assert.equal(error.timedOut, true, 'the timeout error does not say timedOut');
    const status = await process.waitStatus();
    assert.equal(status.timedOut, true, 'waitStatus() does not say timedOut');
    assert.equal(status.code, error.exitCode);
  });

  suite.test('timeout: a process that ends in time is not affected', { timeoutMs: 20_000 }, async (context) => {
    const process = await context.client().exec(context.commands.exitWith(3), { timeoutMs: 10_000 });
    assert.equal(await process.wait(), 3);
    assert.notEqual((await process.waitStatus()).timedOut, true);
  });
};
