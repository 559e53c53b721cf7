/**
 * Retained output: a principal runs many short processes that print and are never read. Each
 * exited process keeps its unread output for `--retention-ms`, so without a bound the server's
 * memory would grow with every run; `--max-retained-per-principal` keeps the newest N (the oldest
 * is forgotten first), the server's RSS stays flat, and another principal keeps being served.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { websocketTransport } from '@procwire/websocket';
import { GoodClient } from './helpers/attack-clients.js';
import { RealServer } from './helpers/real-server.js';
import { report } from './helpers/report.js';

const alice = { token: 'retained-alice-token-0123', principal: 'alice' };
const bob = { token: 'retained-bob-token-012345', principal: 'bob' };

const runs = 600;
const outputBytes = 256 * 1024;
const retained = 32;
const MiB = 1024 * 1024;

describe('attack: output of exited processes piled up', () => {
  it(`${runs} processes of ${outputBytes / 1024} KiB unread output keep at most ${retained} exited, with flat RSS`, { timeout: 180_000 }, async () => {
    const server = await RealServer.start([alice, bob], ['--max-retained-per-principal', String(retained)]);
    const transport = websocketTransport({ url: server.addresses.websocket, token: alice.token });
    const good = new GoodClient(server.addresses, bob.token);
    try {
      const before = server.rssBytes();
      let peak = before;
      good.start();
      for (let index = 0; index < runs; index++) {
        const processId = `print-${index}`;
        await transport.start({ processId, argv: ['head', '-c', String(outputBytes), '/dev/zero'], stdout: 'pipe', stderr: 'pipe' });
        const status = await transport.wait({ processId });
        assert.equal(status.code, 0);
        if (index % 20 === 0) peak = Math.max(peak, server.rssBytes());
      }
      peak = Math.max(peak, server.rssBytes());
      const kept = await transport.list();
      await good.stop();
      report(
        `retained output: ${runs} x ${outputBytes / 1024} KiB never read (${(runs * outputBytes) / MiB} MiB in all), --max-retained-per-principal ${retained}: ${kept.length} kept (the newest: ${kept[0]?.processId} .. ${kept.at(-1)?.processId}); server RSS ${(before / MiB).toFixed(0)} MiB before, ${(peak / MiB).toFixed(0)} MiB peak; good client ${good.rate}`,
      );
      assert.equal(kept.length, retained);
      assert.deepEqual(
        kept.map((info) => info.processId),
        Array.from({ length: retained }, (_, index) => `print-${runs - retained + index}`),
      );
      // The kept ones still have every byte for a late reader.
      assert.equal(kept.at(-1)?.stdout.written, outputBytes);
      // Kept output is at most 32 x 256 KiB = 8 MiB, plus freed memory the garbage collector and
      // the allocator have not given back yet. Without the bound all 150 MiB would stay live.
      assert.ok(peak - before < 120 * MiB, `RSS grew ${((peak - before) / MiB).toFixed(0)} MiB`);
      assert.ok(good.successes > 0 && good.failures === 0, `good client ${good.rate}: ${good.errors.join('; ')}`);
    } finally {
      await good.stop();
      await transport.close();
      await server.stop();
    }
  });
});
