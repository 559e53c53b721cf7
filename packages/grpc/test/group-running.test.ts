/** ProcessInfo.groupRunning crosses the gRPC wire: members that outlive the leader are visible. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Transport } from '@procwire/core/transport';
import { type Stack, startStack } from './support/stack.js';

describe('groupRunning over gRPC', () => {
  let stack: Stack;
  let transport: Transport;
  before(async () => {
    stack = await startStack({ tokens: { 'alice-token': 'alice' } });
    transport = stack.transport({ token: 'alice-token' });
  });
  after(() => stack.close());

  test('true while a background job outlives its leader, false once a signal ended it', async () => {
    const processId = `bg-${process.pid}`;
    const argv = ['sh', '-c', 'sleep 3602 >/dev/null 2>&1 </dev/null &'];
    await transport.start({ processId, argv, stdout: 'pipe', stderr: 'pipe' });
    assert.deepEqual(await transport.wait({ processId }), { code: 0 });
    assert.equal((await transport.get({ processId })).groupRunning, true);
    assert.equal((await transport.list()).find((info) => info.processId === processId)?.groupRunning, true);
    await transport.signal({ processId, signal: 'SIGKILL' });
    const deadline = Date.now() + 10_000;
    while ((await transport.get({ processId })).groupRunning === true && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const info = await transport.get({ processId });
    assert.equal(info.groupRunning, undefined);
    assert.deepEqual(info.exit, { code: 0 });
  });
});
