import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { eventually, withClient } from './harness.js';

describe('client.get(id, { replay: true })', () => {
  it('starts at the host replay tail in text and in bytes, while a plain get continues after what was consumed', async () => {
    await withClient(
      async ({ client }) => {
        const p = await client.exec(['cat'], { byLine: true });
        p.stdin.write('one\n');
        const lines = p.stdout[Symbol.asyncIterator]();
        assert.deepEqual(await lines.next(), { done: false, value: 'one\n' });
        await eventually(async () => (await p.info()).stdout.acknowledged === 4);
        const replayed = await client.get(p.id, { replay: true });
        const replayedBytes = await client.get(p.id, { replay: true, text: false });
        const plain = await client.get(p.id);
        p.stdin.write('two\n');
        p.stdin.writeEof();
        const text: string = await replayed.stdout.read();
        const bytes: Uint8Array = await replayedBytes.stdout.read();
        assert.equal(text, 'one\ntwo\n');
        assert.equal(new TextDecoder().decode(bytes), 'one\ntwo\n');
        assert.equal(await plain.stdout.read(), 'two\n');
        await lines.return?.();
      },
      { replayBytes: 1024 },
    );
  });
});
