import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createClient } from '@procwire/core';
import { startStack } from './support/stack.js';

// Small acks are held back (a terminal's echo is not acked per keystroke): a transport that closes
// must send the ones it holds. (That they reach the host at all is a conformance case.)
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
