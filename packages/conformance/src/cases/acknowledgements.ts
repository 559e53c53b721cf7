/**
 * What a reader took reaches the host as an acknowledgement, however the transport paces its acks:
 * the host frees that output, and the next reader of the stream starts after it.
 */
import assert from 'node:assert/strict';
import type { ConformanceCase } from '../harness/suite.js';

export const acknowledgementCases: ConformanceCase = (suite) => {
  // A terminal's echo is a few bytes at a time: the client holds such small acks back for a few
  // ms, but they must still arrive, or the window never frees.
  suite.test('acknowledgements: output read a few bytes at a time is acknowledged on the host', { timeoutMs: 20_000 }, async (context) => {
    const cat = await context.client().exec(context.commands.cat(), { byLine: true });
    const lines = cat.stdout[Symbol.asyncIterator]();
    for (const word of ['a', 'b', 'c']) {
      cat.stdin.write(`${word}\n`);
      assert.equal((await lines.next()).value, `${word}\n`);
    }
    const read = 'a\nb\nc\n'.length;
    let acknowledged = 0;
    for (let attempt = 0; attempt < 100 && acknowledged < read; attempt++) {
      acknowledged = (await context.transport.get({ processId: cat.id })).stdout.acknowledged;
      if (acknowledged < read) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.equal(acknowledged, read, 'every byte the reader took is acknowledged on the host');
    cat.stdin.writeEof();
    assert.equal(await cat.wait(), 0);
  });
};
