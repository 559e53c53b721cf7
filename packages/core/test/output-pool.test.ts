import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OutputPool, OutputWindow } from '@procwire/core/transport';

const kib = (count: number) => new Uint8Array(count * 1024);

/** A window of 4 KiB that may hold 16 KiB while read, its pauses and resumes recorded. */
function pooled(pool: OutputPool) {
  const events: string[] = [];
  const window = new OutputWindow({
    windowBytes: 4 * 1024,
    burstBytes: 16 * 1024,
    pool,
    pause: () => events.push('pause'),
    resume: () => events.push('resume'),
  });
  return { window, events };
}

/** Starts a read at `offset`: it counts from its first `next()`, which may wait for output. */
function startRead(window: OutputWindow, offset = 0) {
  const reader = window.read(offset)[Symbol.asyncIterator]();
  // Its answer does not matter here (a later ack may even make it out_of_range).
  reader.next().catch(() => {});
  return reader;
}

describe('OutputPool', () => {
  it('lends what it has free and takes it back', () => {
    const pool = new OutputPool(10);
    assert.equal(pool.lend(6), 6);
    assert.equal(pool.lend(6), 4, 'only what is left');
    assert.equal(pool.lend(1), 0);
    assert.equal(pool.lentBytes, 10);
    pool.repay(7);
    assert.equal(pool.lentBytes, 3);
    assert.throws(() => new OutputPool(-1), /non-negative integer, got -1/);
  });
});

describe('OutputWindow with an OutputPool', () => {
  it('a stream nobody reads pauses at its own window and borrows nothing', () => {
    const pool = new OutputPool(64 * 1024);
    const { window, events } = pooled(pool);
    window.push(kib(4));
    assert.deepEqual(events, ['pause']);
    assert.equal(pool.lentBytes, 0);
    assert.equal(window.borrowedBytes, 0);
  });

  it('a stream being read borrows up to its burst size, then pauses', async () => {
    const pool = new OutputPool(64 * 1024);
    const { window, events } = pooled(pool);
    window.push(kib(1));
    startRead(window);
    window.push(kib(3));
    assert.deepEqual(events, [], 'the full window borrowed instead of pausing');
    assert.equal(window.borrowedBytes, 12 * 1024, 'all it may borrow at once: burst minus window');
    assert.equal(pool.lentBytes, 12 * 1024);
    window.push(kib(11));
    assert.deepEqual(events, []);
    window.push(kib(1));
    assert.deepEqual(events, ['pause'], 'paused at the burst size');
    assert.equal(window.written - window.acknowledged, 16 * 1024);
  });

  it('gives the loan back once the reader caught up to within the window', async () => {
    const pool = new OutputPool(64 * 1024);
    const { window, events } = pooled(pool);
    startRead(window);
    window.push(kib(16));
    assert.deepEqual(events, ['pause']);
    window.acknowledge(8 * 1024);
    assert.deepEqual(events, ['pause', 'resume'], 'room again inside the borrowed window');
    assert.equal(pool.lentBytes, 12 * 1024, 'still 8 KiB behind: the loan stays');
    window.acknowledge(13 * 1024);
    assert.equal(window.borrowedBytes, 0);
    assert.equal(pool.lentBytes, 0);
    assert.equal(window.isPaused, false);
  });

  it('streams share the pool: one that finds it empty keeps to its own window', async () => {
    const pool = new OutputPool(12 * 1024);
    const first = pooled(pool);
    const second = pooled(pool);
    startRead(first.window);
    startRead(second.window);
    first.window.push(kib(4));
    second.window.push(kib(4));
    assert.equal(first.window.borrowedBytes, 12 * 1024);
    assert.deepEqual(first.events, []);
    assert.deepEqual(second.events, ['pause'], 'nothing left to borrow');
    assert.equal(pool.lentBytes, 12 * 1024, 'never more than the pool');
    // The first repays: the second borrows at its next full window.
    first.window.acknowledge(4 * 1024);
    second.window.acknowledge(1024);
    second.window.push(kib(1));
    assert.equal(second.window.borrowedBytes, 12 * 1024);
  });

  it('a reader that arrives at a stream paused on its full window lets it borrow at once', () => {
    const pool = new OutputPool(64 * 1024);
    const { window, events } = pooled(pool);
    window.push(kib(4));
    assert.deepEqual(events, ['pause'], 'nobody reads: paused at the window');
    startRead(window);
    assert.deepEqual(events, ['pause', 'resume']);
    assert.equal(window.borrowedBytes, 12 * 1024);
  });

  it('a read that ended no longer counts: the stream stops borrowing', async () => {
    const pool = new OutputPool(64 * 1024);
    const { window, events } = pooled(pool);
    const reader = startRead(window);
    await reader.return?.();
    window.push(kib(4));
    assert.deepEqual(events, ['pause']);
    assert.equal(pool.lentBytes, 0);
  });

  it('repayLoan gives everything back (the host forgets the process) and pauses a source past its window', async () => {
    const pool = new OutputPool(64 * 1024);
    const { window, events } = pooled(pool);
    startRead(window);
    window.push(kib(6));
    assert.equal(pool.lentBytes, 12 * 1024);
    window.repayLoan();
    assert.equal(pool.lentBytes, 0);
    assert.deepEqual(events, ['pause']);
  });

  it('without a burst size above the window it never borrows', async () => {
    const pool = new OutputPool(64 * 1024);
    const window = new OutputWindow({ windowBytes: 4 * 1024, pool });
    startRead(window);
    window.push(kib(4));
    assert.equal(window.isPaused, true);
    assert.equal(pool.lentBytes, 0);
  });
});
