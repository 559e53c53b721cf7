/** `StreamType.DEVNULL` and `StreamType.STDOUT`: the stream goes elsewhere and reading it is an error. */
import assert from 'node:assert/strict';
import { ErrorCode, StreamType } from '@procwire/core';
import { expectProcwireError } from '../harness/expect-error.js';
import type { ConformanceCase } from '../harness/suite.js';

export const streamTypeCases: ConformanceCase = (suite) => {
  suite.test('DEVNULL: the host discards the stream and reading it is invalid_argument', { timeoutMs: 20_000 }, async (context) => {
    const process = await context.client().exec(context.commands.echoBoth('discarded', 'kept'), {
      stdout: StreamType.DEVNULL,
    });
    await expectProcwireError(() => process.stdout.read(), ErrorCode.InvalidArgument, 'reading a DEVNULL stdout');
    assert.equal(await process.stderr.read(), 'kept');
    assert.equal(await process.wait(), 0);
    assert.equal((await process.info()).stdout.mode, 'devnull');
  });

  suite.test('STDOUT: the output reaches the client stdoutSink and reading it is invalid_argument', { timeoutMs: 20_000 }, async (context) => {
    const sunk: Uint8Array[] = [];
    const client = context.client({ stdoutSink: (data) => void sunk.push(data.slice()) });
    const process = await client.exec(context.commands.echoBoth('to the sink', 'to stderr'), {
      stdout: StreamType.STDOUT,
    });
    await expectProcwireError(() => process.stdout.read(), ErrorCode.InvalidArgument, 'reading a STDOUT stdout');
    assert.equal(await process.stderr.read(), 'to stderr');
    assert.equal(await process.wait(), 0);
    assert.equal(Buffer.concat(sunk).toString('utf8'), 'to the sink', 'stdoutSink did not get the whole output by wait()');
  });
};
