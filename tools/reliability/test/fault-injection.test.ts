/**
 * Fault injection: transfers through the TCP fault proxy while it cuts, stalls and slows the link
 * at seeded random moments, for gRPC and WebSocket. Each run sends seeded random bytes into
 * `cat` and checks the sha256 of what came back, the host's input offset, and the exit code.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { type Client, createClient, type Transport } from '@procwire/core';
import { type FaultProxy, startFaultProxy } from '@procwire/fault-proxy';
import { grpcTransport, serveGrpc } from '@procwire/grpc';
import { localTransport } from '@procwire/local-pty';
import { serveWebSocket, websocketTransport } from '@procwire/websocket';
import { runFaults } from './helpers/fault-schedule.js';
import { mib, report } from './helpers/report.js';
import { seededBytes } from './helpers/seeded.js';
import { aliceToken, reliabilityTokens } from './helpers/tokens.js';

// Large enough that the transfer outlasts several faults even on a quiet machine.
const payloadBytes = 24 * 1024 * 1024;
const seeds = [101, 202, 303];

function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

interface Front {
  readonly name: string;
  readonly port: number;
  close(): Promise<void>;
  clientThrough(proxy: FaultProxy): Transport;
}

/** One transfer with faults: returns when the process has exited and every byte is checked. */
async function transferWithFaults(client: Client, proxy: FaultProxy, seed: number, label: string): Promise<void> {
  const payload = seededBytes(seed, payloadBytes);
  const before = proxy.stats;
  const started = Date.now();
  const process = await client.exec(['sh', '-c', 'cat; exit 7'], { text: false });
  const transfer = (async () => {
    const received: Uint8Array[] = [];
    const reading = (async () => {
      for await (const chunk of process.stdout) received.push(chunk);
    })();
    for (let offset = 0; offset < payload.byteLength; offset += 256 * 1024) {
      process.stdin.write(payload.subarray(offset, offset + 256 * 1024));
      if (offset % (4 * 1024 * 1024) === 0) await process.stdin.drain();
    }
    process.stdin.writeEof();
    await process.stdin.drain();
    await reading;
    const code = await process.wait();
    return { output: Buffer.concat(received), code };
  })();
  const [faults, { output, code }] = await Promise.all([runFaults(proxy, seed, transfer), transfer]);
  const info = await process.info();
  const after = proxy.stats;
  report(
    `${label} seed ${seed}: sent ${mib(payload.byteLength)} in, got ${mib(output.byteLength)} out in ${Date.now() - started} ms; ` +
      `${faults.cutActions} cuts (${faults.connectionsCut} connections), ${faults.stalls} stalls, ${faults.slowPeriods} slow periods; ` +
      `${after.accepted - before.accepted} connections accepted; exit ${code}; sha256 in ${sha256(payload).slice(0, 16)} out ${sha256(output).slice(0, 16)}`,
  );
  assert.equal(output.byteLength, payload.byteLength, 'every byte came back once');
  assert.equal(sha256(output), sha256(payload), 'the bytes came back unchanged and in order');
  assert.equal(info.stdin.offset, payload.byteLength, 'the host took every input byte exactly once');
  assert.equal(code, 7, 'the exit code crossed the faults');
  assert.ok(faults.connectionsCut >= 1, 'at least one live connection was cut during the transfer');
}

describe('fault injection through the TCP proxy', () => {
  const host = localTransport({ killGraceMs: 500 });
  const fronts: Front[] = [];

  before(async () => {
    const grpc = await serveGrpc(host, { host: '127.0.0.1', port: 0, tokens: reliabilityTokens });
    fronts.push({
      name: 'gRPC',
      port: grpc.port,
      close: () => grpc.close(),
      clientThrough: (proxy) => grpcTransport({ address: proxy.address, token: aliceToken }),
    });
    const ws = await serveWebSocket(host, { host: '127.0.0.1', port: 0, path: '/procwire', tokens: reliabilityTokens });
    fronts.push({
      name: 'WebSocket',
      port: ws.port,
      close: () => ws.close(),
      clientThrough: (proxy) => websocketTransport({ url: `ws://${proxy.address}/procwire`, token: aliceToken }),
    });
  });

  after(async () => {
    for (const front of fronts) await front.close();
    await host.close();
  });

  for (const name of ['gRPC', 'WebSocket']) {
    it(`${name}: ${seeds.length} seeded transfers through cuts, stalls and slow links lose and duplicate nothing`, { timeout: 180_000 }, async () => {
      const front = fronts.find((candidate) => candidate.name === name)!;
      const proxy = await startFaultProxy({ targetPort: front.port });
      const client = createClient(front.clientThrough(proxy), { retryTimeoutMs: 60_000 });
      try {
        for (const seed of seeds) await transferWithFaults(client, proxy, seed, name);
        report(`${name}: proxy totals ${proxy.stats.cuts} connections cut, ${mib(proxy.stats.bytesUp)} up, ${mib(proxy.stats.bytesDown)} down`);
      } finally {
        await client.close();
        await proxy.close();
      }
    });
  }
});
