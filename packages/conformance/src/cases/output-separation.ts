/** stdout and stderr are separate streams, each in the order the process wrote it. */
import assert from 'node:assert/strict';
import type { ConformanceCase } from '../harness/suite.js';

function numberedLines(prefix: string, count: number): string {
  return Array.from({ length: count }, (_, index) => `${prefix} ${index + 1}\n`).join('');
}

export const outputSeparationCases: ConformanceCase = (suite) => {
  suite.test('output: stdout and stderr each carry only their own bytes', { timeoutMs: 20_000 }, async (context) => {
    const process = await context.client().exec(context.commands.echoBoth('to stdout', 'to stderr'));
    const [stdout, stderr] = await Promise.all([process.stdout.read(), process.stderr.read()]);
    assert.equal(stdout, 'to stdout');
    assert.equal(stderr, 'to stderr');
    assert.equal(await process.wait(), 0);
  });

  suite.test('output: interleaved writes keep their order within each stream', { timeoutMs: 20_000 }, async (context) => {
    const count = 500;
    const process = await context.client().exec(context.commands.interleave(count));
    const [stdout, stderr] = await Promise.all([process.stdout.read(), process.stderr.read()]);
    assert.equal(stdout, numberedLines('out', count));
    assert.equal(stderr, numberedLines('err', count));
    assert.equal(await process.wait(), 0);
  });
};
