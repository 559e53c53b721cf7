/**
 * Idle and slowloris connections: an attacker without a token opens thousands of TCP connections
 * to both listeners and sends nothing (or half a request). The server keeps at most
 * `--max-connections-per-address` of them per peer IP, closes the rest at once and every one of
 * them at the auth deadline, while a well-behaved client (another address) keeps being served
 * and /healthz answers.
 */
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { describe, it } from 'node:test';
import { GoodClient } from './helpers/attack-clients.js';
import { RealServer } from './helpers/real-server.js';
import { report } from './helpers/report.js';

const alice = { token: 'idle-alice-token-012345', principal: 'alice' };
const attackerAddress = '127.0.0.2';
const perListener = 600;
const perAddress = 100;
const authTimeoutMs = 4000;

/** Opens `count` connections from `localAddress`; `open()` counts those the server has not closed. */
async function openIdle(port: number, count: number, slowloris: boolean): Promise<{ open: () => number; destroy: () => void }> {
  const sockets: Socket[] = [];
  const connected = new Set<Socket>();
  const closed = new Set<Socket>();
  await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<void>((resolve) => {
          const socket = connect({ host: '127.0.0.1', port, localAddress: attackerAddress }, () => {
            connected.add(socket);
            if (slowloris) socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n');
            resolve();
          });
          // Read (and drop) what comes, so the server's close is seen.
          socket.resume();
          socket.on('error', () => resolve());
          socket.on('close', () => {
            closed.add(socket);
            resolve();
          });
          sockets.push(socket);
        }),
    ),
  );
  return {
    // Connected and not closed by the server: what it holds for us.
    open: () => [...connected].filter((socket) => !closed.has(socket)).length,
    destroy: () => {
      for (const socket of sockets) socket.destroy();
    },
  };
}

describe('attack: idle and slowloris connections', () => {
  it('bounds connections per address, closes unauthenticated ones at the deadline, serves the good client', { timeout: 120_000 }, async () => {
    const server = await RealServer.start(
      [alice],
      ['--max-connections', '1000', '--max-connections-per-address', String(perAddress), '--auth-timeout-ms', String(authTimeoutMs)],
    );
    const httpPort = Number(new URL(server.addresses.http).port);
    const grpcPort = Number(server.addresses.grpc.split(':').at(-1));
    const good = new GoodClient(server.addresses, alice.token);
    let healthy = 0;
    let healthChecks = 0;
    const attacks: Array<{ open: () => number; destroy: () => void }> = [];
    try {
      const baseline = server.openDescriptors();
      good.start();
      let attacking = true;
      const health = (async () => {
        while (attacking) {
          healthChecks++;
          if ((await server.httpGet('/healthz', 3000)).status === 200) healthy++;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      })();
      attacks.push(
        ...(await Promise.all([
          openIdle(httpPort, perListener, false),
          openIdle(httpPort, perListener / 2, true),
          openIdle(grpcPort, perListener, false),
        ])),
      );
      const opened = Date.now();
      // The server accepts (and closes) the surplus as its loop gets to them.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const heldHttp = attacks[0]!.open() + attacks[1]!.open();
      const heldGrpc = attacks[2]!.open();
      const descriptors = server.openDescriptors();
      await new Promise((resolve) => setTimeout(resolve, opened + authTimeoutMs + 1500 - Date.now()));
      attacking = false;
      await health;
      const descriptorsAfter = server.openDescriptors();
      const leftHttp = attacks[0]!.open() + attacks[1]!.open();
      const leftGrpc = attacks[2]!.open();
      await good.stop();
      report(
        `idle connections: ${perListener} idle + ${perListener / 2} slowloris to HTTP and ${perListener} idle to gRPC from ${attackerAddress}: held ${heldHttp} HTTP and ${heldGrpc} gRPC (limit ${perAddress} per address; server descriptors ${baseline} before, ${descriptors} during), ${leftHttp + leftGrpc} left after the ${authTimeoutMs} ms auth deadline (server descriptors ${descriptorsAfter}); /healthz ${healthy}/${healthChecks}; good client ${good.rate}`,
      );
      // The server's own count: at most the per-address limit on each listener (plus the good client's).
      assert.ok(descriptors <= baseline + 2 * perAddress + 20, `server descriptors ${descriptors} during the attack`);
      assert.ok(descriptorsAfter <= baseline + 20, `server descriptors ${descriptorsAfter} after the deadline`);
      assert.equal(leftHttp + leftGrpc, 0, 'every unauthenticated connection is closed at the deadline');
      assert.equal(healthy, healthChecks, '/healthz always answered');
      assert.equal(good.failures, 0, good.errors.join('; '));
      assert.ok(good.successes > 0);
    } finally {
      await good.stop();
      for (const attack of attacks) attack.destroy();
      await server.stop();
    }
  });
});
