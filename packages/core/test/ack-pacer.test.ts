import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { AckPacer } from '@procwire/core/transport';

/** Paces acks through `pacer` and records which offsets were sent, in order. */
function recorder(pacer: AckPacer) {
  const sent: string[] = [];
  const ack = (processId: string, fd: number, offset: number) =>
    pacer.pace(processId, fd, offset, async (sending) => {
      sent.push(`${processId}/${fd}@${sending}`);
    });
  return { sent, ack };
}

describe('AckPacer', () => {
  const window = 1024 * 1024;

  it('sends an ack that frees a quarter of the window at once', async () => {
    const pacer = new AckPacer();
    const { sent, ack } = recorder(pacer);
    pacer.noteWindow('p', window);
    await ack('p', 1, window / 4);
    assert.deepEqual(sent, ['p/1@262144']);
  });

  it('joins small acks into one for the latest offset, sent a few ms later', async () => {
    const pacer = new AckPacer();
    const { sent, ack } = recorder(pacer);
    pacer.noteWindow('p', window);
    for (let offset = 10; offset <= 100; offset += 10) await ack('p', 1, offset);
    assert.deepEqual(sent, [], 'small acks are held back, not sent one by one');
    await sleep(50);
    assert.deepEqual(sent, ['p/1@100']);
  });

  it('counts a quarter of the window from the last ack sent', async () => {
    const pacer = new AckPacer();
    const { sent, ack } = recorder(pacer);
    pacer.noteWindow('p', window);
    await ack('p', 1, window / 4);
    await ack('p', 1, window / 4 + 10);
    assert.deepEqual(sent, ['p/1@262144'], '10 bytes past the last ack are held back');
    await ack('p', 1, window / 2);
    assert.deepEqual(sent, ['p/1@262144', 'p/1@524288']);
  });

  it('treats an unknown process as busy and keeps streams apart', async () => {
    const pacer = new AckPacer();
    const { sent, ack } = recorder(pacer);
    await ack('unknown', 1, 1);
    pacer.noteWindow('p', window);
    await ack('p', 1, 5);
    await ack('p', 2, window);
    assert.deepEqual(sent, ['unknown/1@1', 'p/2@1048576'], "stderr's ack does not send stdout's");
    await pacer.flush(1000);
    assert.deepEqual(sent, ['unknown/1@1', 'p/2@1048576', 'p/1@5']);
  });

  it('keeps one ack in flight per stream and then sends the latest offset', async () => {
    const pacer = new AckPacer();
    pacer.noteWindow('p', window);
    const sent: number[] = [];
    let finish: (() => void) | undefined;
    const send = (offset: number) => {
      sent.push(offset);
      return new Promise<void>((resolve) => (finish = resolve));
    };
    void pacer.pace('p', 1, window / 4, send);
    void pacer.pace('p', 1, window / 2, send);
    void pacer.pace('p', 1, window, send);
    assert.deepEqual(sent, [window / 4]);
    finish?.();
    await sleep(10);
    assert.deepEqual(sent, [window / 4, window]);
    finish?.();
  });

  it('flush() sends held acks at once and waits for them, but no longer than its timeout', async () => {
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
