/** A stream has one consumer: a second one gets `stream_consumed`, not silence. */
import assert from 'node:assert/strict';
import { ErrorCode } from '@procwire/core';
import { expectProcwireError } from '../harness/expect-error.js';
import type { ConformanceCase } from '../harness/suite.js';

export const singleConsumerCases: ConformanceCase = (suite) => {
  suite.test('single consumer: reading a stream a second time is stream_consumed', { timeoutMs: 20_000 }, async (context) => {
    const process = await context.client().exec(context.commands.echoBoth('once', ''));
    assert.equal(await process.stdout.read(), 'once');
    await expectProcwireError(() => process.stdout.read(), ErrorCode.StreamConsumed, 'a second read() of stdout');
    await expectProcwireError(
      async () => {
        for await (const _ of process.stdout) break;
      },
      ErrorCode.StreamConsumed,
      'iterating stdout after read()',
    );
    assert.equal(await process.wait(), 0);
  });
};
