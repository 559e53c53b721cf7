import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { AckPacer } from '@procwire/core/transport';

/** 'held' if `promise` has not settled after `ms`, else 'released'. */
async function stateAfter(promise: Promise<void>, ms: number): Promise<'held' | 'released'> {
  return Promise.race([promise.then(() => 'released' as const), sleep(ms).then(() => 'held' as const)]);
}

describe('AckPacer', () => {
  const window = 8 * 1024 * 1024;

  it('holds a small ack (a keystroke echo) and releases it once a busy amount has arrived', async () => {
    const pacer = new AckPacer();
    pacer.noteWindow('p', window);
    const hold = pacer.hold('p', 1, 10);
    assert.equal(await stateAfter(hold, 100), 'held', 'a 10-byte ack is not sent at once');
    pacer.received('p', 1, 1000);
    assert.equal(await stateAfter(hold, 100), 'held', '1000 bytes is still a quiet stream');
    pacer.received('p', 1, 64 * 1024);
    assert.equal(await stateAfter(hold, 100), 'released');
  });

  it('holds a large ack only briefly, and counts from the last ack sent', async () => {
    const pacer = new AckPacer();
    pacer.noteWindow('p', window);
    assert.equal(await stateAfter(pacer.hold('p', 1, 64 * 1024), 100), 'released');
    pacer.sent('p', 1, 64 * 1024);
    // 64 KiB + 10: only 10 bytes past the last ack, so quiet again.
    assert.equal(await stateAfter(pacer.hold('p', 1, 64 * 1024 + 10), 100), 'held');
    pacer.releaseAll();
  });

  it('treats an unknown process as busy, keeps streams apart, and releaseAll ends every hold', async () => {
    const pacer = new AckPacer();
    assert.equal(await stateAfter(pacer.hold('unknown', 1, 1), 100), 'released');
    pacer.noteWindow('p', window);
    const stdout = pacer.hold('p', 1, 5);
    const stderr = pacer.hold('p', 2, 5);
    pacer.received('p', 2, window);
    assert.equal(await stateAfter(stderr, 100), 'released');
    assert.equal(await stateAfter(stdout, 20), 'held', "stderr's bytes do not release stdout's ack");
    pacer.releaseAll();
    assert.equal(await stateAfter(stdout, 100), 'released');
  });
});
