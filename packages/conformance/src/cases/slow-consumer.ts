/**
 * A reader slower than the process loses nothing, and the host keeps at most its output window
 * (or the burst size it lends a stream being read, `limits.outputBurstBytes`) plus one read
 * unacknowledged while the process runs (backpressure reaches the process instead of
 * memory growing), plus what it drains once the process exited (`limits.exitReadBytes`).
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

/** The host keeps these bytes, not the transport (unless it reports wrong offsets in ProcessInfo). */
const HOST_FIX = 'The host (behind the transport) reads past its window: pause the source when the window fills (OutputWindow pause), and set limits.exitReadBytes to what your host drains at exit.';

export const slowConsumerCases: ConformanceCase = (suite) => {
  suite.test('slow consumer: nothing is lost and the host retains at most its window', { timeoutMs: 60_000 }, async (context) => {
    const client = context.client();
    const probe = await client.exec(context.commands.exitWith(0));
    const window = (await probe.info()).outputWindowBytes;
    assert.ok(window > 0, `outputWindowBytes is ${window}`);
    await probe.wait();
    // What the host may hold for this stream while it is read: its window, or a larger burst.
    const held = Math.max(window, context.limits.outputBurstBytes);
    const running = held + context.limits.outputChunkBytes;
    const atExit = running + context.limits.exitReadBytes;
    // More than the host holds, so a stream read this slowly must hold the process back.
    const length = Math.min(held + 4 * MiB, 64 * MiB);

    const process = await client.exec(context.commands.writeBytes(length), { text: false });
    const verifier = new PatternVerifier('stdout read slowly');
    const stdout = process.stdout[Symbol.asyncIterator]();
    const first = await stdout.next();
    assert.ok(!first.done, 'no output arrived');
    verifier.push(first.value);

    // Stop reading for a while: the process fills the window and is then held back, still running.
    await delay(500, context.signal);
    const paused = await retainedBytes(process);
    assert.ok(
      paused.retained <= running,
      `while the process runs, held back by a full window, the host retains ${paused.retained} bytes, over its ${held === window ? 'window' : 'burst size (limits.outputBurstBytes)'} + one read (${running}). ${HOST_FIX}`,
    );
    if (running < length) {
      assert.ok(paused.written < length, `the process wrote all ${length} bytes while nobody read: no backpressure`);
    }

    let chunks = 0;
    for (let next = await stdout.next(); !next.done; next = await stdout.next()) {
      verifier.push(next.value);
      if (++chunks % 16 === 0) {
        const now = await retainedBytes(process);
        // A host drains at most exitReadBytes at exit, so with fewer written it has not begun to.
        const exiting = now.written >= length - context.limits.exitReadBytes;
        const bound = exiting ? atExit : running;
        const what = exiting ? 'window + one read + limits.exitReadBytes' : 'window + one read, while the process runs,';
        assert.ok(now.retained <= bound, `the host retains ${now.retained} bytes (${now.written} of ${length} written), over its ${what} (${bound}). ${HOST_FIX}`);
        await delay(5, context.signal);
      }
    }
    verifier.end(length);
    assert.equal(await process.wait(), 0);
  });
};
