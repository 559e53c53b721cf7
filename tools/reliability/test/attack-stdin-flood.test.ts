/**
 * Stdin flood: a principal sends writes to a process that never reads stdin without awaiting them
 * (WebSocket `Write` frames; parallel unary gRPC `WriteInput` calls). The server must refuse what
 * it cannot hand on (resource_exhausted) instead of keeping it: its RSS stays bounded during the
 * flood and after the kill, while another principal's client keeps being served.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ErrorCode, isProcwireError } from '@procwire/core';
import { websocketTransport } from '@procwire/websocket';
import { GoodClient, grpcStart, rawGrpcClient, unary } from './helpers/attack-clients.js';
import { RealServer } from './helpers/real-server.js';
import { mib, report } from './helpers/report.js';

const alice = { token: 'attack-alice-token-0123', principal: 'alice' };
const bob = { token: 'attack-bob-token-0123456', principal: 'bob' };
const chunkBytes = 256 * 1024;
/** 128 MiB per transport: far past every bound, small enough for the suite's time. */
const writes = 512;
/** What the server may grow by while 128 MiB of unawaited stdin arrive (GC slack included). */
const allowedGrowth = 96 * 1024 * 1024;

/** Samples `sample()` every 20 ms until `stop()`; returns the largest value seen. */
function peakOf(sample: () => number): { stop: () => number } {
  let peak = sample();
  const timer = setInterval(() => {
    peak = Math.max(peak, sample());
  }, 20);
  return {
    stop: () => {
      clearInterval(timer);
      return Math.max(peak, sample());
    },
  };
}

describe('attack: stdin flood', () => {
  let server: RealServer;
  before(async () => {
    server = await RealServer.start([alice, bob]);
  });
  after(() => server.stop());

  it('over WebSocket: unawaited Write frames are refused past the bound, RSS stays flat, bob is served', { timeout: 120_000 }, async () => {
    const transport = websocketTransport({ url: server.addresses.websocket, token: alice.token });
    const good = new GoodClient(server.addresses, bob.token);
    try {
      await transport.start({ processId: 'ws-flood', argv: ['sleep', '600'], stdout: 'pipe', stderr: 'pipe' });
      const before = server.rssBytes();
      good.start();
      const peak = peakOf(() => server.rssBytes());
      const data = new Uint8Array(chunkBytes).fill(0x61);
      const results = await Promise.allSettled(
        Array.from({ length: writes }, (_, index) =>
          transport.writeInput({ processId: 'ws-flood', offset: index * chunkBytes, data, eof: false }),
        ).map((write) => Promise.race([write, new Promise((resolve) => setTimeout(resolve, 15_000, 'still waiting'))])),
      );
      const peakRss = peak.stop();
      const refused = results.filter((result) => result.status === 'rejected');
      for (const result of refused) {
        const error = (result as PromiseRejectedResult).reason;
        assert.ok(isProcwireError(error) && error.code === ErrorCode.ResourceExhausted, `refused with resource_exhausted: ${String(error)}`);
      }
      await transport.signal({ processId: 'ws-flood', signal: 'SIGKILL' });
      await transport.wait({ processId: 'ws-flood' });
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const afterRss = server.rssBytes();
      await good.stop();
      report(
        `stdin flood, WebSocket: ${writes} unawaited writes of 256 KiB (${mib(writes * chunkBytes)}) to sleep 600: ${refused.length} refused (resource_exhausted); server RSS before ${mib(before)}, peak ${mib(peakRss)}, after kill ${mib(afterRss)}; bob's good client ${good.rate}`,
      );
      assert.ok(refused.length >= writes - 16, `most writes are refused, got ${refused.length}`);
      assert.ok(peakRss - before < allowedGrowth, `peak RSS grew by ${mib(peakRss - before)}`);
      assert.ok(afterRss - before < allowedGrowth, `RSS after the kill is ${mib(afterRss)}`);
      assert.equal(good.failures, 0, good.errors.join('; '));
      assert.ok(good.successes > 0, 'bob was served during the flood');
    } finally {
      await good.stop();
      await transport.close();
    }
  });

  it('over gRPC: parallel unary WriteInput calls are refused past the bound, RSS stays flat, bob is served', { timeout: 120_000 }, async () => {
    const { client, metadata } = rawGrpcClient(server.addresses.grpc, alice.token);
    const good = new GoodClient(server.addresses, bob.token);
    try {
      await unary(client.start.bind(client), grpcStart('grpc-flood', ['sleep', '600']), metadata);
      const before = server.rssBytes();
      good.start();
      const peak = peakOf(() => server.rssBytes());
      const data = Buffer.alloc(chunkBytes, 0x62);
      const results = await Promise.allSettled(
        Array.from({ length: writes }, (_, index) =>
          unary(client.writeInput.bind(client), { processId: 'grpc-flood', offset: index * chunkBytes, data, eof: false }, metadata),
        ).map((write) => Promise.race([write, new Promise((resolve) => setTimeout(resolve, 15_000, 'still waiting'))])),
      );
      const peakRss = peak.stop();
      const refused = results.filter((result) => result.status === 'rejected');
      let exhausted = 0;
      let resets = 0;
      for (const result of refused) {
        const error = (result as PromiseRejectedResult).reason as { code: number; details: string };
        // Calls arrive in any order: one past the host's input offset is a gap (OUT_OF_RANGE), at
        // once; the others are refused for the bound (RESOURCE_EXHAUSTED). A call refused when its
        // headers arrive, before its message was read, can reach grpc-js's client as the stream's
        // reset (INTERNAL, "RST_STREAM") instead of its status.
        const reset = error.code === 13 && /RST_STREAM/.test(error.details);
        assert.ok(error.code === 8 || error.code === 11 || reset, `RESOURCE_EXHAUSTED or OUT_OF_RANGE, got ${error.code}: ${error.details}`);
        if (error.code === 8) exhausted++;
        if (reset) resets++;
      }
      await unary(client.signal.bind(client), { processId: 'grpc-flood', signal: 'SIGKILL' }, metadata);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const afterRss = server.rssBytes();
      await good.stop();
      report(
        `stdin flood, gRPC unary: ${writes} parallel WriteInput calls of 256 KiB (${mib(writes * chunkBytes)}) to sleep 600: ${refused.length} refused (${exhausted} RESOURCE_EXHAUSTED, ${resets} stream resets, the rest OUT_OF_RANGE); server RSS before ${mib(before)}, peak ${mib(peakRss)}, after kill ${mib(afterRss)}; bob's good client ${good.rate}`,
      );
      assert.ok(refused.length >= writes - 16, `most writes are refused, got ${refused.length}`);
      assert.ok(peakRss - before < allowedGrowth, `peak RSS grew by ${mib(peakRss - before)}`);
      assert.ok(afterRss - before < allowedGrowth, `RSS after the kill is ${mib(afterRss)}`);
      assert.equal(good.failures, 0, good.errors.join('; '));
      assert.ok(good.successes > 0, 'bob was served during the flood');
    } finally {
      await good.stop();
      client.close();
    }
  });
});
