/** What is written to stdin reaches the process, and EOF ends it. */
import assert from 'node:assert/strict';
import type { ConformanceCase } from '../harness/suite.js';

export const stdinRoundTripCases: ConformanceCase = (suite) => {
  suite.test('stdin: strings and bytes written reach cat, and EOF ends it', { timeoutMs: 20_000 }, async (context) => {
    const process = await context.client().exec(context.commands.cat());
    process.stdin.write('hello\n');
    process.stdin.write(new TextEncoder().encode('wörld'));
    process.stdin.writeEof();
    await process.stdin.drain();
    assert.equal(await process.stdout.read(), 'hello\nwörld');
    assert.equal(await process.wait(), 0);
  });
};
