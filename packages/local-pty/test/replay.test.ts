import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { type ContainerProcess, createClient, ErrorCode, isProcwireError } from '@procwire/core';
import { localTransport } from '@procwire/local-pty';
import { eventually } from './helpers.js';

const KiB = 1024;

/** Waits until the host knows `offset` bytes of stdout were consumed (acks reach it a little late). */
async function acknowledgedOnHost(process: ContainerProcess<string> | ContainerProcess<Uint8Array>, offset: number): Promise<void> {
  assert.ok(
    await eventually(async () => (await process.info()).stdout.acknowledged === offset),
    `the host to have ${offset} stdout bytes acknowledged`,
  );
}

describe('localTransport({ replayBytes })', () => {
  const client = createClient(localTransport({ replayBytes: 64 * KiB }));
  after(async () => {
    await client.close();
  });

  test('get(id, { replay: true }) reads the consumed output again, then the later output, once', async () => {
    const started = await client.exec(['sh', '-c', 'echo first; read x; echo "second $x"'], { byLine: true });
    const lines = started.stdout[Symbol.asyncIterator]();
    assert.deepEqual(await lines.next(), { done: false, value: 'first\n' });
    await acknowledgedOnHost(started, 6);
    assert.equal((await started.info()).stdout.replayFrom, 0);

    const replayed = await client.get(started.id, { replay: true });
    started.stdin.write('x\n');
    assert.equal(await replayed.stdout.read(), 'first\nsecond x\n');
    assert.equal(await (await client.get(started.id)).stdout.read(), '', 'without replay: after what was consumed');
    assert.equal(await replayed.wait(), 0);
    await lines.return?.();
  });

  test('a shell in a pty shows its prompt again to a replaying reader', async () => {
    const shell = await client.exec(['sh', '-c', 'printf "ready> "; read x; echo "typed $x"'], { pty: true });
    const screen = shell.stdout[Symbol.asyncIterator]();
    let seen = '';
    while (!seen.includes('ready> ')) seen += (await screen.next()).value ?? '';
    await acknowledgedOnHost(shell, Buffer.byteLength(seen));

    const reattached = await client.get(shell.id, { replay: true });
    reattached.stdin.write('hi\n');
    assert.equal(await reattached.stdout.read(), 'ready> hi\r\ntyped hi\r\n');
    await screen.return?.();
  });

  test('keeps whole chunks covering at least replayBytes of a long output, and no more than one chunk beyond', async () => {
    const started = await client.exec(['head', '-c', String(1024 * KiB), '/dev/zero'], { text: false });
    assert.equal((await started.stdout.read()).byteLength, 1024 * KiB);
    await started.wait();
    await acknowledgedOnHost(started, 1024 * KiB);
    const { replayFrom, acknowledged } = (await started.info()).stdout;
    assert.ok(replayFrom !== undefined);
    const kept = acknowledged - replayFrom;
    // A pipe read is at most 64 KiB: the tail is 64 KiB plus less than one such chunk.
    assert.ok(kept >= 64 * KiB && kept < 128 * KiB, `kept ${kept} bytes`);
    const replayed = await client.get(started.id, { replay: true, text: false });
    assert.equal((await replayed.stdout.read()).byteLength, kept);
  });
});

describe('localTransport() without replayBytes', () => {
  test('keeps nothing acknowledged: get(id, { replay: true }) continues after what was consumed', async () => {
    const client = createClient(localTransport());
    try {
      const started = await client.exec(['sh', '-c', 'echo first; read x; echo "second $x"'], { byLine: true });
      const lines = started.stdout[Symbol.asyncIterator]();
      assert.deepEqual(await lines.next(), { done: false, value: 'first\n' });
      await acknowledgedOnHost(started, 6);
      assert.equal((await started.info()).stdout.replayFrom, undefined);
      const replayed = await client.get(started.id, { replay: true });
      started.stdin.write('x\n');
      assert.equal(await replayed.stdout.read(), 'second x\n');
      await lines.return?.();
    } finally {
      await client.close();
    }
  });

  test('refuses a negative replayBytes, naming the option', () => {
    assert.throws(
      () => localTransport({ replayBytes: -1 }),
      (error) => isProcwireError(error, ErrorCode.InvalidArgument) && /replayBytes/.test(error.message),
    );
  });
});
