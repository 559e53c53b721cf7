/**
 * A reader slower than the process loses nothing, and the host keeps at most its output window
 * (plus one chunk) unacknowledged: backpressure reaches the process instead of memory growing.
 */
import assert from 'node:assert/strict';
import type { ContainerProcess } from '@procwire/core';
import { PatternVerifier } from '../commands/pattern.js';
import { delay } from '../harness/delay.js';
import type { ConformanceCase } from '../harness/suite.js';

const MiB = 1024 * 1024;

async function retainedBytes(process: ContainerProcess<Uint8Array>) {
  const info = await process.info();
  return { retained: info.stdout.written - info.stdout.acknowledged, written: info.stdout.written, window: info.outputWindowBytes };
}

export const slowConsumerCases: ConformanceCase = (suite) => {
  suite.test('slow consumer: nothing is lost and the host retains at most its window', { timeoutMs: 60_000 }, async (context) => {
    const client = context.client();
    const probe = await client.exec(context.commands.exitWith(0));
    const window = (await probe.info()).outputWindowBytes;
    assert.ok(window > 0, `outputWindowBytes is ${window}`);
    await probe.wait();
    const bound = window + context.limits.outputChunkBytes;
    // More than the window holds, so an unread stream must hold the process back.
    const length = Math.min(window + 4 * MiB, 64 * MiB);

    const process = await client.exec(context.commands.writeBytes(length), { text: false });
    const verifier = new PatternVerifier('stdout read slowly');
    const stdout = process.stdout[Symbol.asyncIterator]();
    const first = await stdout.next();
    assert.ok(!first.done, 'no output arrived');
    verifier.push(first.value);

    // Stop reading for a while: the process fills the window and must then be held back.
    await delay(500, context.signal);
    const paused = await retainedBytes(process);
    assert.ok(paused.retained <= bound, `the host retains ${paused.retained} bytes, over its window + one chunk (${bound})`);
    if (bound < length) {
      assert.ok(paused.written < length, `the process wrote all ${length} bytes while nobody read: no backpressure`);
    }

    let chunks = 0;
    for (let next = await stdout.next(); !next.done; next = await stdout.next()) {
      verifier.push(next.value);
      if (++chunks % 16 === 0) {
        const now = await retainedBytes(process);
        assert.ok(now.retained <= bound, `the host retains ${now.retained} bytes, over its window + one chunk (${bound})`);
        await delay(5, context.signal);
      }
    }
    verifier.end(length);
    assert.equal(await process.wait(), 0);
  });
};
