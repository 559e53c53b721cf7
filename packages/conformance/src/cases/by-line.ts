/** `byLine` yields whole lines that keep their `\n`, and a last partial line at EOF. */
import assert from 'node:assert/strict';
import { expectedLines } from '../commands/fixture-data.js';
import type { ConformanceCase } from '../harness/suite.js';

export const byLineCases: ConformanceCase = (suite) => {
  for (const finalNewline of [true, false]) {
    suite.test(
      `byLine: lines cut across chunks come whole, ${finalNewline ? 'with' : 'without'} a final newline`,
      { timeoutMs: 20_000 },
      async (context) => {
        const process = await context.client().exec(context.commands.writeLines(finalNewline), { byLine: true });
        const lines: string[] = [];
        for await (const line of process.stdout) lines.push(line);
        assert.deepEqual(lines, expectedLines(finalNewline));
        assert.equal(await process.wait(), 0);
      },
    );
  }
};
