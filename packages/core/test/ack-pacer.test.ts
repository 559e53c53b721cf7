import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { AckPacer } from '@procwire/core/transport';

/** Paces acks through `pacer` and records which offsets were sent, in order. */
function recorder(pacer: AckPacer) {
  const sent: string[] = [];
  const ack = (processId: string, fd: number, offset: number) =>
    pacer.pace(processId, fd, offset, async () => {
      sent.push(`${processId}/${fd}@${offset}`);
    });
  return { sent, ack };
}

describe('AckPacer', () => {
  const window = 8 * 1024 * 1024;

  it('holds a small ack (a keystroke echo) until a busy amount has arrived', async () => {
    const pacer = new AckPacer();
    const { sent, ack } = recorder(pacer);
    pacer.noteWindow('p', window);
    const acked = ack('p', 1, 10);
    await sleep(100);
    assert.deepEqual(sent, [], 'a 10-byte ack is not sent at once');
    pacer.received('p', 1, 1000);
    await sleep(50);
    assert.deepEqual(sent, [], '1000 bytes is still a quiet stream');
    pacer.received('p', 1, 64 * 1024);
    await acked;
    assert.deepEqual(sent, ['p/1@10']);
  });

  it('sends a large ack within milliseconds, and counts from the last ack sent', async () => {
    const pacer = new AckPacer();
    const { sent, ack } = recorder(pacer);
    pacer.noteWindow('p', window);
    await ack('p', 1, 64 * 1024);
    assert.deepEqual(sent, ['p/1@65536']);
    // Only 10 bytes past the last ack: quiet again.
    void ack('p', 1, 64 * 1024 + 10);
    await sleep(100);
    assert.deepEqual(sent, ['p/1@65536']);
    await pacer.flush(1000);
    assert.deepEqual(sent, ['p/1@65536', 'p/1@65546']);
  });

  it('treats an unknown process as busy and keeps streams apart', async () => {
    const pacer = new AckPacer();
    const { sent, ack } = recorder(pacer);
    await ack('unknown', 1, 1);
    pacer.noteWindow('p', window);
    void ack('p', 1, 5);
    const stderr = ack('p', 2, 5);
    pacer.received('p', 2, window);
    await stderr;
    await sleep(20);
    assert.deepEqual(sent, ['unknown/1@1', 'p/2@5'], "stderr's bytes do not release stdout's ack");
    await pacer.flush(1000);
    assert.deepEqual(sent, ['unknown/1@1', 'p/2@5', 'p/1@5']);
  });

  it('flush() waits for held acks to be sent, but no longer than its timeout', async () => {
    const pacer = new AckPacer();
    pacer.noteWindow('p', window);
    let finish: (() => void) | undefined;
    void pacer.pace('p', 1, 3, () => new Promise<void>((resolve) => (finish = resolve)));
    const started = performance.now();
    await pacer.flush(100);
    assert.ok(finish !== undefined, 'the held ack was sent when flush began');
    assert.ok(performance.now() - started < 1000, 'flush gave up on an ack that never completed');
    finish();
  });
});
