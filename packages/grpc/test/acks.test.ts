import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { createClient } from '@procwire/core';
import { startStack } from './support/stack.js';

// Small acks are held back longer than large ones (a terminal's echo is not acked per keystroke):
// they must still reach the host, else its window would never free.
test('output read a few bytes at a time is acknowledged on the host', { timeout: 30_000 }, async () => {
  const stack = await startStack({ tokens: { 'ack-token': 'ivan' } });
  try {
    const transport = stack.transport({ token: 'ack-token' });
    const client = createClient(transport);
    const p = await client.exec(['sh', '-c', 'while read line; do echo "got $line"; done'], { byLine: true });
    const lines = p.stdout[Symbol.asyncIterator]();
    for (const word of ['a', 'b', 'c']) {
      p.stdin.write(`${word}\n`);
      assert.equal((await lines.next()).value, `got ${word}\n`);
    }
    const written = 'got a\ngot b\ngot c\n'.length;
    let acknowledged = 0;
    for (let attempt = 0; attempt < 100 && acknowledged < written; attempt++) {
      acknowledged = (await transport.get({ processId: p.id })).stdout.acknowledged;
      if (acknowledged < written) await sleep(50);
    }
    assert.equal(acknowledged, written, 'every byte read is acknowledged');
    p.stdin.writeEof();
    assert.equal(await p.wait(), 0);
  } finally {
    await stack.close();
  }
});
