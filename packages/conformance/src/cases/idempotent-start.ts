/** Start is idempotent by process id: starting an id again returns that process and starts nothing. */
import assert from 'node:assert/strict';
import type { ConformanceCase } from '../harness/suite.js';

export const idempotentStartCases: ConformanceCase = (suite) => {
  suite.test('start: exec with a processId that exists returns that process, started once', { timeoutMs: 20_000 }, async (context) => {
    const processId = `conformance-idempotent-${Date.now()}-${Math.random().toString(36).slice(2)}`;
    const client = context.client();
    const first = await client.exec(context.commands.cat(), { processId });
    assert.equal(first.id, processId);
    first.stdin.write('once\n');
    await first.stdin.drain();
    const again = await context.client().exec(context.commands.cat(), { processId });
    assert.equal(again.id, processId);
    const listed = (await client.list()).filter((info) => info.id === processId);
    assert.equal(listed.length, 1, 'the process is listed more than once');
    const info = await again.info();
    assert.equal(info.stdin.offset, 5, 'the second exec did not return the running process');
    first.stdin.writeEof();
    await first.stdin.drain();
    assert.equal(await first.stdout.read(), 'once\n');
    assert.equal(await first.wait(), 0);
  });
};
