/** Aborting `exec`'s signal kills the process; `wait()` rejects with `aborted`. */
import assert from 'node:assert/strict';
import { ErrorCode } from '@procwire/core';
import { expectProcwireError } from '../harness/expect-error.js';
import type { ConformanceCase } from '../harness/suite.js';

export const abortCases: ConformanceCase = (suite) => {
  suite.test('abort: aborting the signal kills the process and wait() rejects "aborted"', { timeoutMs: 20_000 }, async (context) => {
    const controller = new AbortController();
    const process = await context.client().exec(context.commands.sleep(60), { signal: controller.signal });
    assert.equal(await process.poll(), null);
    controller.abort();
    await expectProcwireError(() => process.wait(), ErrorCode.Aborted, 'wait() after abort');
    const status = await process.waitStatus();
    assert.ok(status.code > 128, `exit code ${status.code} is not that of a killed process`);
  });
};
