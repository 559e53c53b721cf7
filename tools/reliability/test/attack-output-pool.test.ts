/**
 * The output pool, taken by one principal: alice opens reads on many fast streams and never
 * consumes them, so each borrows what it can past its window. The pool (`--output-pool-bytes`)
 * bounds what she holds, the server's RSS with it, and bob still runs his commands and reads a
 * large output whole at his own window's pace.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { createClient } from '@procwire/core';
import { websocketTransport } from '@procwire/websocket';
import { GoodClient } from './helpers/attack-clients.js';
import { RealServer } from './helpers/real-server.js';
import { report } from './helpers/report.js';

const alice = { token: 'pool-alice-token-01234567', principal: 'alice' };
const bob = { token: 'pool-bob-token-0123456789', principal: 'bob' };

const MiB = 1024 * 1024;
const streams = 24;
const window = MiB;
const pool = 32 * MiB;

function lentBytes(metrics: string): number {
  return Number(/^procwire_output_pool_lent_bytes (\d+)$/m.exec(metrics)?.[1] ?? Number.NaN);
}

describe('attack: one principal takes the output pool', () => {
  it(`${streams} streams read and never consumed hold at most a window each plus the pool; another principal is served`, { timeout: 120_000 }, async () => {
    const server = await RealServer.start([alice, bob], ['--output-window-bytes', String(window), '--output-pool-bytes', String(pool)]);
    const attacker = websocketTransport({ url: server.addresses.websocket, token: alice.token });
    const good = new GoodClient(server.addresses, bob.token);
    const bobClient = createClient(websocketTransport({ url: server.addresses.websocket, token: bob.token }));
    const stalled: AsyncIterator<unknown>[] = [];
    try {
      const before = server.rssBytes();
      good.start();
      for (let index = 0; index < streams; index++) {
        const processId = `flood-${index}`;
        await attacker.start({ processId, argv: ['head', '-c', String(256 * MiB), '/dev/zero'], stdout: 'pipe', stderr: 'pipe' });
        const read = attacker.readOutput({ processId, fd: 1, offset: 0 })[Symbol.asyncIterator]();
        await read.next();
        stalled.push(read);
      }
      // Let every stream run as far as the host lets it.
      let held = 0;
      for (let poll = 0; poll < 60; poll++) {
        await sleep(250);
        const now = (await attacker.list()).reduce((sum, info) => sum + info.stdout.written - info.stdout.acknowledged, 0);
        if (now === held) break;
        held = now;
      }
      const lent = lentBytes((await server.httpGet('/metrics')).body);
      const peak = server.rssBytes();

      // Bob's own stream still flows, at his window's pace, every byte once.
      const started = Date.now();
      const big = await bobClient.exec(['head', '-c', String(32 * MiB), '/dev/zero'], { text: false });
      let received = 0;
      for await (const chunk of big.stdout) received += chunk.byteLength;
      assert.equal(await big.wait(), 0);
      const bobMs = Date.now() - started;
      await good.stop();
      report(
        `output pool: ${streams} of alice's streams read and never consumed hold ${(held / MiB).toFixed(1)} MiB (windows ${(streams * window) / MiB} MiB + pool ${pool / MiB} MiB), ${(lent / MiB).toFixed(1)} MiB lent; server RSS ${(before / MiB).toFixed(0)} MiB before, ${(peak / MiB).toFixed(0)} MiB with the pool taken; bob read 32 MiB in ${bobMs} ms; good client ${good.rate}`,
      );
      assert.equal(lent, pool, 'the streams took the whole pool');
      assert.ok(held <= streams * window + pool + streams * 256 * 1024, `alice's streams hold ${held} bytes`);
      assert.ok(held >= streams * window, `every stream filled at least its window: ${held} bytes`);
      assert.ok(peak - before < streams * window + pool + 96 * MiB, `RSS grew ${((peak - before) / MiB).toFixed(0)} MiB`);
      assert.equal(received, 32 * MiB, 'bob received every byte of his output');
      assert.ok(good.successes > 0 && good.failures === 0, `good client ${good.rate}: ${good.errors.join('; ')}`);
    } finally {
      await good.stop();
      await Promise.allSettled(stalled.map((read) => read.return?.()));
      await bobClient.close();
      await attacker.close();
      await server.stop();
    }
  });
});
