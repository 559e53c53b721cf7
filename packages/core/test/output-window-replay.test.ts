import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode, isProcwireError, OutputWindow } from '@procwire/core/transport';

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (data: Uint8Array) => new TextDecoder().decode(data);

async function readAll(window: OutputWindow, offset: number): Promise<string> {
  let out = '';
  for await (const chunk of window.read(offset)) out += text(chunk.data);
  return out;
}

describe('OutputWindow replay tail', () => {
  it('with replayBytes 0 (the default) acknowledged bytes are gone and info has no replayFrom', async () => {
    const window = new OutputWindow({ windowBytes: 1024, name: 'stdout' });
    window.push(bytes('first\n'));
    window.push(bytes('second\n'));
    window.acknowledge(6);
    assert.equal(window.retainedBytes, 7);
    assert.equal(window.replayFrom, 6);
    assert.deepEqual(window.info(), { mode: 'pipe', acknowledged: 6, written: 13, eof: false });
    window.end();
    await assert.rejects(readAll(window, 0), (error) => isProcwireError(error, ErrorCode.OutOfRange) && /acknowledged offset 6/.test(error.message));
    assert.equal(await readAll(window, 6), 'second\n');
  });

  it('keeps whole chunks covering the last replayBytes acknowledged bytes, readable again from replayFrom', async () => {
    const window = new OutputWindow({ windowBytes: 1024, replayBytes: 8, name: 'stdout' });
    for (const line of ['one\n', 'two\n', 'three\n', 'four\n']) window.push(bytes(line));
    // 19 bytes written; all acknowledged: the last 8 lie in 'three\n' and 'four\n' (11 bytes kept).
    window.acknowledge(19);
    assert.equal(window.replayFrom, 8);
    assert.equal(window.retainedBytes, 11);
    assert.deepEqual(window.info(), { mode: 'pipe', acknowledged: 19, written: 19, eof: false, replayFrom: 8 });
    window.push(bytes('five\n'));
    window.end();
    assert.equal(await readAll(window, 8), 'three\nfour\nfive\n');
    assert.equal(await readAll(window, 10), 'ree\nfour\nfive\n', 'a read may start anywhere in the tail');
    assert.equal(window.acknowledged, 19, 'reading the tail again acknowledges nothing lower');
    await assert.rejects(
      readAll(window, 7),
      (error) => isProcwireError(error, ErrorCode.OutOfRange) && /replay tail kept from offset 8/.test(error.message),
    );
  });

  it('keeps everything while less than replayBytes was acknowledged', async () => {
    const window = new OutputWindow({ windowBytes: 1024, replayBytes: 64 * 1024 });
    window.push(bytes('first\n'));
    window.acknowledge(6);
    window.push(bytes('second\n'));
    assert.equal(window.replayFrom, 0);
    assert.equal(window.info().replayFrom, 0);
    window.end();
    assert.equal(await readAll(window, 0), 'first\nsecond\n');
  });

  it('stays within window + replayBytes + two chunks, and pauses on unacknowledged bytes only', () => {
    const windowBytes = 1000;
    const replayBytes = 3000;
    const events: string[] = [];
    const window = new OutputWindow({
      windowBytes,
      replayBytes,
      pause: () => events.push('pause'),
      resume: () => events.push('resume'),
    });
    const sizes = [1, 7, 300, 64, 999, 2, 500, 33];
    const maxChunk = Math.max(...sizes);
    for (let i = 0; i < 2000; i++) {
      if (!window.isPaused) window.push(new Uint8Array(sizes[i % sizes.length]!));
      const unacknowledged = window.written - window.acknowledged;
      assert.equal(window.isPaused, unacknowledged >= windowBytes, `paused exactly when ${unacknowledged} bytes are unacknowledged`);
      const kept = window.acknowledged - window.replayFrom;
      assert.ok(kept >= Math.min(replayBytes, window.acknowledged), `keeps ${kept} acknowledged bytes, at least replayBytes`);
      assert.ok(kept < replayBytes + maxChunk, `keeps ${kept} acknowledged bytes, less than replayBytes + one chunk`);
      assert.ok(window.retainedBytes < windowBytes + replayBytes + 2 * maxChunk, `retains ${window.retainedBytes} bytes`);
      // A reader that acknowledges a varying part of what is there.
      if (i % 3 === 0) window.acknowledge(window.acknowledged + Math.floor(unacknowledged * ((i % 5) / 4)));
    }
    assert.ok(events.includes('pause') && events.includes('resume'));
    assert.ok(window.written > 50 * (windowBytes + replayBytes), 'the stream went on far past the bound');
  });

  it('a reader still in the tail when it is freed gets out_of_range, never other bytes', async () => {
    // Chunks this big are read one by one (smaller ones are joined into one read).
    const size = 16 * 1024;
    const chunk = (letter: string) => bytes(letter.repeat(size));
    const window = new OutputWindow({ windowBytes: 1 << 20, replayBytes: size, name: 'stdout' });
    for (const letter of 'abc') window.push(chunk(letter));
    window.acknowledge(2 * size);
    assert.equal(window.replayFrom, size);
    const replaying = window.read(size);
    assert.deepEqual(await replaying.next(), { done: false, value: { offset: size, data: chunk('b') } });
    // 'c', where the replaying reader goes on, falls out of the tail before it gets there.
    window.push(chunk('d'));
    window.acknowledge(4 * size);
    assert.equal(window.replayFrom, 3 * size);
    await assert.rejects(
      replaying.next(),
      (error) => isProcwireError(error, ErrorCode.OutOfRange) && error.message.includes(`offset ${2 * size}`),
    );
    await assert.rejects(window.read(size).next(), (error) => isProcwireError(error, ErrorCode.OutOfRange));
    assert.deepEqual(await window.read(3 * size).next(), { done: false, value: { offset: 3 * size, data: chunk('d') } });
  });

  it('a devnull stream keeps no tail and reports none', () => {
    const window = new OutputWindow({ windowBytes: 4, replayBytes: 1024, mode: 'devnull' });
    window.push(bytes('discarded'));
    assert.equal(window.retainedBytes, 0);
    assert.equal(window.info().replayFrom, undefined);
  });

  it('refuses a negative or fractional replayBytes', () => {
    assert.throws(() => new OutputWindow({ windowBytes: 4, replayBytes: -1 }), RangeError);
    assert.throws(() => new OutputWindow({ windowBytes: 4, replayBytes: 1.5 }), RangeError);
  });
});
