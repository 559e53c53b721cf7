// dockerTransport({ replayBytes }) keeps consumed output for a replaying reader, in a real container.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createClient, ErrorCode, isProcwireError } from '@procwire/core';
import { dockerTransport } from '@procwire/docker';
import { removeTestContainer, startTestContainer, testDocker } from './engine.js';

describe('dockerTransport({ replayBytes })', () => {
  const docker = testDocker();
  let container = '';
  before(async () => {
    container = await startTestContainer(docker, 'procwire-replay');
  });
  after(async () => {
    await removeTestContainer(docker, container);
  });

  test('get(id, { replay: true }) reads the consumed output again, then the later output', async () => {
    const client = createClient(dockerTransport({ container, docker, replayBytes: 4096 }));
    try {
      const started = await client.exec(['sh', '-c', 'echo first; read x; echo "second $x"'], { byLine: true });
      const lines = started.stdout[Symbol.asyncIterator]();
      assert.deepEqual(await lines.next(), { done: false, value: 'first\n' });
      for (let attempt = 0; attempt < 200 && (await started.info()).stdout.acknowledged < 6; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      assert.equal((await started.info()).stdout.replayFrom, 0);
      const replayed = await client.get(started.id, { replay: true });
      started.stdin.write('x\n');
      assert.equal(await replayed.stdout.read(), 'first\nsecond x\n');
      await lines.return?.();
    } finally {
      await client.close();
    }
  });

  test('refuses a negative replayBytes, naming the option', () => {
    assert.throws(
      () => dockerTransport({ container, docker, replayBytes: -1 }),
      (error) => isProcwireError(error, ErrorCode.InvalidArgument) && /replayBytes/.test(error.message),
    );
  });
});
