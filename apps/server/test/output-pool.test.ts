/**
 * The server's output pool, end to end: a stream a client reads runs ahead of its window up to
 * --output-burst-bytes, the room it borrowed shows in /metrics, and it is given back once the
 * reader caught up. Real server process, real processes, real sockets.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { type Client, createClient } from '@procwire/core';
import { grpcTransport } from '@procwire/grpc/client';
import { websocketTransport } from '@procwire/websocket/client';
import { httpGet, metricValue, settledMetrics } from './support/http.js';
import { type ServerProcess, startServerProcess } from './support/server-process.js';
import { aliceToken, writeTokensFile } from './support/tokens.js';

const KiB = 1024;
const MiB = 1024 * KiB;
const window = 64 * KiB;
const burst = MiB;
const lent = 'procwire_output_pool_lent_bytes';

describe('procwire-server output pool (--output-burst-bytes, --output-pool-bytes)', () => {
  let server: ServerProcess;
  const clients: Client[] = [];

  before(async () => {
    server = await startServerProcess([
      `--tokens-file=${writeTokensFile()}`,
      `--output-window-bytes=${window}`,
      `--output-burst-bytes=${burst}`,
      `--output-pool-bytes=${4 * MiB}`,
    ]);
  });
  after(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await server.stop('SIGKILL');
  });

  for (const front of ['grpc', 'websocket'] as const) {
    it(`over ${front}: a stream being read runs ahead to the burst size, then gives the room back`, async () => {
      const transport =
        front === 'grpc'
          ? grpcTransport({ address: server.addresses.grpc, token: aliceToken })
          : websocketTransport({ url: server.addresses.websocket, token: aliceToken });
      const client = createClient(transport);
      clients.push(client);
      const size = 16 * MiB;
      const process = await client.exec(['head', '-c', String(size), '/dev/zero'], { text: false });
      const stdout = process.stdout[Symbol.asyncIterator]();
      let received = (await stdout.next()).value?.byteLength ?? 0;

      // The reader stalls: the host holds what it borrowed past the window, and no more.
      let held = -1;
      for (let poll = 0; poll < 50; poll++) {
        await sleep(100);
        const { stdout: info } = await process.info();
        if (info.written - info.acknowledged === held) break;
        held = info.written - info.acknowledged;
      }
      assert.ok(held > window + 256 * KiB, `the stream ran ahead of its ${window}-byte window: ${held} bytes held`);
      assert.ok(held <= burst + 256 * KiB, `the stream stopped near its ${burst}-byte burst size: ${held} bytes held`);
      const during = (await httpGet(`${server.addresses.http}/metrics`)).body;
      assert.equal(metricValue(during, lent), burst - window, 'the room borrowed past the window shows in /metrics');

      for (let next = await stdout.next(); !next.done; next = await stdout.next()) received += next.value.byteLength;
      assert.equal(received, size, 'every byte arrived once');
      assert.equal(await process.wait(), 0);
      const settled = await settledMetrics(server.addresses.http, (text) => metricValue(text, lent) === 0);
      assert.equal(metricValue(settled, lent), 0, 'the reader caught up: the room went back to the pool');
    });
  }
});
