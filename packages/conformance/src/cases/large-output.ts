/** A large transfer arrives intact: every byte, in order, once. */
import assert from 'node:assert/strict';
import { PatternVerifier } from '../commands/pattern.js';
import type { ConformanceCase } from '../harness/suite.js';

export const largeOutputCases: ConformanceCase = (suite) => {
  suite.test('large output: the whole stream arrives byte for byte (bytes mode)', { timeoutMs: 120_000 }, async (context) => {
    const length = context.limits.largeOutputBytes;
    const process = await context.client().exec(context.commands.writeBytes(length), { text: false });
    const verifier = new PatternVerifier(`stdout of writeBytes(${length})`);
    for await (const chunk of process.stdout) verifier.push(chunk);
    verifier.end(length);
    assert.equal(await process.wait(), 0);
  });
};
