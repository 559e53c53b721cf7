/**
 * The output pool with real processes: a stream being read may hold up to `outputBurstBytes`
 * unacknowledged, borrowing past its window from `outputPool`; one nobody reads keeps to its
 * window; the pool bounds them all, and a forgotten process gives its loan back.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, test } from 'node:test';
import { OutputPool, type Transport } from '@procwire/core/transport';
import { localTransport } from '@procwire/local-pty';
import { eventually, nextId, pipeRequest } from './helpers.js';

const MiB = 1024 * 1024;
/** What a host may read past a full window before it pauses: a pipe read or two. */
const slack = 256 * 1024;

/** The unacknowledged stdout of `processId` once the process stopped producing (its window is full). */
async function heldWhenSteady(transport: Transport, processId: string): Promise<number> {
  let last = -1;
  for (let poll = 0; poll < 100; poll++) {
    const { stdout } = await transport.get({ processId });
    if (stdout.written === last) return stdout.written - stdout.acknowledged;
    last = stdout.written;
    await sleep(100);
  }
  throw new Error(`the stdout of ${processId} never stopped growing`);
}

/** Starts a process writing 64 MiB and a read of its stdout that takes one chunk and then stalls. */
async function startStalledReader(transport: Transport): Promise<{ processId: string; stop: () => Promise<void> }> {
  const processId = nextId('pool');
  await transport.start(pipeRequest(processId, ['head', '-c', String(64 * MiB), '/dev/zero']));
  const read = transport.readOutput({ processId, fd: 1, offset: 0 })[Symbol.asyncIterator]();
  await read.next();
  return {
    processId,
    stop: async () => {
      await read.return?.();
      await transport.signal({ processId, signal: 'SIGKILL' });
    },
  };
}

describe('output pool', () => {
  test('a stream being read holds up to its burst size; one nobody reads holds its window', async () => {
    const transport = localTransport({ outputWindowBytes: MiB, outputBurstBytes: 4 * MiB, outputPool: new OutputPool(16 * MiB) });
    try {
      const read = await startStalledReader(transport);
      const held = await heldWhenSteady(transport, read.processId);
      assert.ok(held >= 4 * MiB && held <= 4 * MiB + slack, `the read stream holds ${held} bytes, expected its 4 MiB burst`);
      const unread = nextId('pool');
      await transport.start(pipeRequest(unread, ['head', '-c', String(64 * MiB), '/dev/zero']));
      const alone = await heldWhenSteady(transport, unread);
      assert.ok(alone >= MiB && alone <= MiB + slack, `the unread stream holds ${alone} bytes, expected its 1 MiB window`);
      await read.stop();
    } finally {
      await transport.close();
    }
  });

  test('the pool bounds every stream together, and a forgotten process gives its loan back', async () => {
    const pool = new OutputPool(3 * MiB);
    const transport = localTransport({ outputWindowBytes: MiB, outputBurstBytes: 4 * MiB, outputPool: pool, retentionMs: 200 });
    try {
      const first = await startStalledReader(transport);
      assert.ok((await heldWhenSteady(transport, first.processId)) >= 4 * MiB, 'the first reader borrowed the whole pool');
      assert.equal(pool.lentBytes, 3 * MiB);
      const second = await startStalledReader(transport);
      const starved = await heldWhenSteady(transport, second.processId);
      assert.ok(starved <= MiB + slack, `the pool is empty: the second holds its window only, held ${starved}`);

      await first.stop();
      await transport.wait({ processId: first.processId });
      assert.ok(
        await eventually(async () => (await transport.list()).every((info) => info.processId !== first.processId)),
        'the first process is forgotten after its retention',
      );
      assert.equal(pool.lentBytes, 0, 'the forgotten process gave its loan back');
      // Room again: the second borrows at its next full window (an ack lets it write on).
      await transport.ackOutput({ processId: second.processId, fd: 1, offset: 64 * 1024 });
      const grown = await heldWhenSteady(transport, second.processId);
      assert.ok(grown >= 4 * MiB - 64 * 1024, `the second now holds its burst size, held ${grown}`);
      await second.stop();
    } finally {
      await transport.close();
    }
  });

  test('two hosts given one pool share it', async () => {
    const pool = new OutputPool(3 * MiB);
    const [one, two] = [1, 2].map(() => localTransport({ outputWindowBytes: MiB, outputBurstBytes: 4 * MiB, outputPool: pool }));
    try {
      const first = await startStalledReader(one!);
      assert.ok((await heldWhenSteady(one!, first.processId)) >= 4 * MiB);
      const second = await startStalledReader(two!);
      const starved = await heldWhenSteady(two!, second.processId);
      assert.ok(starved <= MiB + slack, `the other host found the pool empty, held ${starved}`);
      // A host that closes gives back what its processes borrowed, whatever their state.
      await one!.close();
      assert.equal(pool.lentBytes, 0, 'the closed host gave its loans back');
      await second.stop();
    } finally {
      await Promise.all([one!.close(), two!.close()]);
    }
  });

  test('an empty pool turns borrowing off; a bad burst size is refused by name', async () => {
    const transport = localTransport({ outputWindowBytes: MiB, outputBurstBytes: 4 * MiB, outputPool: new OutputPool(0) });
    try {
      const read = await startStalledReader(transport);
      const held = await heldWhenSteady(transport, read.processId);
      assert.ok(held <= MiB + slack, `no pool: the read stream holds its window, held ${held}`);
      await read.stop();
    } finally {
      await transport.close();
    }
    assert.throws(() => localTransport({ outputBurstBytes: 0 }), { code: 'invalid_argument', message: /outputBurstBytes/ });
  });
});
