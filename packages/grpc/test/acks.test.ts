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

// A reader that stops (a CLI's attach that detaches) must leave the host knowing what it took:
// the next reader starts at the host's acknowledged offset and must not get those bytes again.
test('closing the transport sends its held acks first', { timeout: 30_000 }, async () => {
  const stack = await startStack({ tokens: { 'ack-token': 'ivan' } });
  try {
    const first = createClient(stack.transport({ token: 'ack-token' }));
    const p = await first.exec(['sh', '-c', 'echo first; read line; echo "got $line"; exit 5'], { byLine: true });
    assert.equal((await p.stdout[Symbol.asyncIterator]().next()).value, 'first\n');
    await first.close();

    const observer = stack.transport({ token: 'ack-token' });
    assert.equal((await observer.get({ processId: p.id })).stdout.acknowledged, 'first\n'.length);
    const second = createClient(observer);
    const again = await second.get(p.id);
    again.stdin.write('again\n');
    assert.equal(await again.stdout.read(), 'got again\n', 'the second reader continues where the first stopped');
    assert.equal(await again.wait(), 5);
    await second.close();
  } finally {
    await stack.close();
  }
});
