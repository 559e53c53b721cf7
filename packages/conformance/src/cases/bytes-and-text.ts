/** `text: true` (default) yields strings; `text: false` yields the raw bytes. */
import assert from 'node:assert/strict';
import type { ConformanceCase } from '../harness/suite.js';

const sample = 'héllo wörld ✓';

export const bytesAndTextCases: ConformanceCase = (suite) => {
  suite.test('text: by default chunks are strings decoded from UTF-8', { timeoutMs: 20_000 }, async (context) => {
    const process = await context.client().exec(context.commands.echoBoth(sample, ''));
    const chunks: unknown[] = [];
    for await (const chunk of process.stdout) chunks.push(chunk);
    assert.ok(chunks.length > 0, 'no chunk arrived');
    for (const chunk of chunks) assert.equal(typeof chunk, 'string', 'a text-mode chunk is not a string');
    assert.equal(chunks.join(''), sample);
    assert.equal(await process.wait(), 0);
  });

  suite.test('bytes: with text: false chunks are Uint8Arrays of the exact bytes', { timeoutMs: 20_000 }, async (context) => {
    const process = await context.client().exec(context.commands.echoBoth(sample, sample), { text: false });
    const chunks: Uint8Array[] = [];
    for await (const chunk of process.stdout) {
      assert.ok(chunk instanceof Uint8Array, 'a bytes-mode chunk is not a Uint8Array');
      chunks.push(chunk);
    }
    assert.deepEqual(Buffer.concat(chunks), Buffer.from(sample, 'utf8'));
    const stderr = await process.stderr.read();
    assert.ok(stderr instanceof Uint8Array, 'read() in bytes mode does not give a Uint8Array');
    assert.deepEqual(Buffer.from(stderr), Buffer.from(sample, 'utf8'));
    assert.equal(await process.wait(), 0);
  });
};
