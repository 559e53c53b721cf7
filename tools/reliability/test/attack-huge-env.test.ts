/**
 * A huge environment: eight Starts with 300k env entries (3.2 MB) in parallel are refused by their
 * size before they are decoded (the gRPC message limit comes from the argv and env limits). Dense
 * ones under the message limit (70k tiny entries) are refused by their entry count, also before
 * they are decoded; the largest let through (`--max-env-entries`, 4096) are decoded one per turn of
 * the event loop, and start. Through all three no turn of the server's event loop lasts 250 ms (its
 * `procwire_event_loop_delay_seconds` over each attack) while a good client keeps being served. Each
 * is far below that here (30-70 ms on a loaded machine); before these defences one such Start held
 * the loop for 4.3 s, and eight dense ones arriving together for 11.5 s: the bound tells the defect
 * from a noisy machine's scheduling.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ServiceError } from '@grpc/grpc-js';
import { isProcwireError } from '@procwire/core';
import { procwireV1 } from '@procwire/grpc/generated';
import { websocketTransport } from '@procwire/websocket';
import { GoodClient, grpcStart, rawGrpcClient } from './helpers/attack-clients.js';
import { RealServer } from './helpers/real-server.js';
import { report } from './helpers/report.js';

const alice = { token: 'env-alice-token-0123456', principal: 'alice' };
const bob = { token: 'env-bob-token-01234567', principal: 'bob' };

/** `count` entries `E<n>=x`. */
function envOf(count: number): Record<string, string> {
  const env: Record<string, string> = {};
  for (let index = 0; index < count; index++) env[`E${index}`] = 'x';
  return env;
}

/** The event-loop delay p99 and max (ms) since the previous scrape, from /metrics. */
async function loopDelay(server: RealServer): Promise<{ p99: number; max: number }> {
  const { body } = await server.httpGet('/metrics', 10_000);
  const value = (quantile: string) =>
    1000 * Number(new RegExp(`^procwire_event_loop_delay_seconds\\{quantile="${quantile}"\\} (\\S+)$`, 'm').exec(body)?.[1] ?? Number.NaN);
  return { p99: value('0.99'), max: value('1') };
}

/**
 * How much slower this machine runs now than an idle one: a fixed loop that takes about 20 ms on
 * an idle core, timed here (at least 1). A shared, loaded CI machine stretches every delay by it.
 */
function slowdown(): number {
  const started = performance.now();
  let sum = 0;
  for (let index = 0; index < 2e7; index++) sum += index % 7;
  const elapsed = performance.now() - started;
  return Math.max(1, elapsed / 20 + (sum < 0 ? 1 : 0));
}

describe('attack: huge environment', () => {
  it('refuses huge env before the expensive work, without a turn of the event loop of 250 ms', { timeout: 120_000 }, async () => {
    const server = await RealServer.start([alice, bob]);
    const { client, metadata } = rawGrpcClient(server.addresses.grpc, alice.token);
    // Requests go out as the bytes encoded below (any grpc-js client sends raw bytes this way).
    const identity = (value: Buffer) => value;
    const good = new GoodClient(server.addresses, bob.token);
    try {
      const huge = envOf(300_000);
      // Under the message limit (1 MiB with the default limits): refused by its entry count.
      const dense = envOf(70_000);
      // The most entries the server decodes (its limit, 4096): decoded and started.
      const atLimit = envOf(4096);
      // Encoded before the measured interval: the attacker's own encoding is not the server's delay
      // (client and server share this machine's cores).
      const encodeAll = (env: Record<string, string>, label: string): Buffer[] =>
        Array.from({ length: 8 }, (_, index) =>
          Buffer.from(procwireV1.StartRequest.encode(grpcStart(`${label}-grpc-${index}`, ['true'], env)).finish()),
        );
      const startAll = async (bodies: Buffer[]): Promise<string[]> => {
        const grpcStarts = bodies.map((body) =>
          new Promise<ServiceError | null>((resolve) =>
            client.makeUnaryRequest('/procwire.v1.Procwire/Start', identity, identity, body, metadata, (error) => resolve(error)),
          ).then((error) => (error === null ? 'started' : `grpc ${error.code}`)),
        );
        return Promise.all(grpcStarts);
      };
      const wsStart = async (env: Record<string, string>): Promise<string> => {
        const transport = websocketTransport({ url: server.addresses.websocket, token: alice.token });
        try {
          await transport.start({ processId: 'env-ws', argv: ['true'], env, stdout: 'pipe', stderr: 'pipe' });
          return 'started';
        } catch (error) {
          return `ws ${isProcwireError(error) ? error.code : String(error)}`;
        } finally {
          await transport.close();
        }
      };
      const [hugeBodies, denseBodies, atLimitBodies] = [encodeAll(huge, 'huge'), encodeAll(dense, 'dense'), encodeAll(atLimit, 'limit')];
      await loopDelay(server);
      good.start();
      const hugeCodes = await startAll(hugeBodies);
      const hugeDelay = await loopDelay(server);
      const denseCodes = [...(await startAll(denseBodies)), await wsStart(dense)];
      const denseDelay = await loopDelay(server);
      const atLimitCodes = [...(await startAll(atLimitBodies)), await wsStart(atLimit)];
      const atLimitDelay = await loopDelay(server);
      const factor = slowdown();
      await good.stop();
      report(
        `huge env: 8 gRPC Starts of 300k entries (3.2 MB) in parallel: ${hugeCodes.join(', ')}; server event-loop delay p99 ${hugeDelay.p99.toFixed(1)} ms, max ${hugeDelay.max.toFixed(1)} ms. 8 gRPC and 1 WebSocket Starts of 70k entries (refused by their count, not decoded): ${denseCodes.join(', ')}; delay p99 ${denseDelay.p99.toFixed(1)} ms, max ${denseDelay.max.toFixed(1)} ms. 8 gRPC and 1 WebSocket Starts of 4096 entries (the limit: decoded and started): ${atLimitCodes.join(', ')}; delay p99 ${atLimitDelay.p99.toFixed(1)} ms, max ${atLimitDelay.max.toFixed(1)} ms. This machine runs ${factor.toFixed(1)}x slower than an idle core; good client ${good.rate}`,
      );
      assert.ok(hugeCodes.every((code) => code === 'grpc 8'), `RESOURCE_EXHAUSTED for each: ${hugeCodes.join(', ')}`);
      assert.deepEqual(new Set(denseCodes), new Set(['grpc 8', 'ws resource_exhausted']), `each refused: ${denseCodes.join(', ')}`);
      assert.ok(atLimitCodes.every((code) => code === 'started'), `each at the limit starts: ${atLimitCodes.join(', ')}`);
      for (const [label, delay] of [['huge', hugeDelay], ['dense', denseDelay], ['at the limit', atLimitDelay]] as const) {
        assert.ok(delay.max < 250 * factor, `${label}: event loop stalled ${delay.max} ms (limit 250 ms x ${factor.toFixed(1)})`);
      }
      assert.ok(good.successes > 0);
    } finally {
      await good.stop();
      client.close();
      await server.stop();
    }
  });
});
