/** Text mode decodes incrementally: split characters stay whole, invalid bytes become U+FFFD. */
import assert from 'node:assert/strict';
import { invalidUtf8Bytes, invalidUtf8Text, splitUtf8Pieces, splitUtf8Text } from '../commands/fixture-data.js';
import type { ConformanceCase } from '../harness/suite.js';

export const utf8DecodingCases: ConformanceCase = (suite) => {
  suite.test('text: a multibyte character split across chunks stays whole', { timeoutMs: 20_000 }, async (context) => {
    const process = await context.client().exec(context.commands.writeSplitUtf8());
    const chunks: string[] = [];
    for await (const chunk of process.stdout) chunks.push(chunk);
    for (const chunk of chunks) {
      assert.ok(!chunk.includes('\uFFFD'), `chunk ${JSON.stringify(chunk)} holds a replacement character`);
    }
    assert.equal(chunks.join(''), splitUtf8Text);
    assert.equal(await process.wait(), 0);
  });

  suite.test('bytes: the split pieces arrive as the exact bytes written', { timeoutMs: 20_000 }, async (context) => {
    const process = await context.client().exec(context.commands.writeSplitUtf8(), { text: false });
    assert.deepEqual(Buffer.from(await process.stdout.read()), Buffer.concat(splitUtf8Pieces));
    assert.equal(await process.wait(), 0);
  });

  suite.test('text: invalid and truncated UTF-8 becomes U+FFFD, never an error', { timeoutMs: 20_000 }, async (context) => {
    const process = await context.client().exec(context.commands.writeInvalidUtf8());
    assert.equal(await process.stdout.read(), invalidUtf8Text);
    assert.equal(await process.wait(), 0);
    const raw = await context.client().exec(context.commands.writeInvalidUtf8(), { text: false });
    assert.deepEqual(Buffer.from(await raw.stdout.read()), Buffer.from(invalidUtf8Bytes));
    assert.equal(await raw.wait(), 0);
  });
};
