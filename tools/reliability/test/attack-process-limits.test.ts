/**
 * Process limits against the real server: a process counts until its whole group is gone (a
 * leader that backgrounds a child and exits does not free its slot), `kill` still reaches the
 * group, SIGTERM of the server leaves no descendant; the total cap is a flag, and reservations
 * keep one principal from locking the others out; timers of 2^31 ms or more are refused.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { type Client, createClient, ErrorCode, isProcwireError } from '@procwire/core';
import { grpcTransport } from '@procwire/grpc';
import { websocketTransport } from '@procwire/websocket';
import { killMatching, pidsMatching, RealServer } from './helpers/real-server.js';
import { report } from './helpers/report.js';

const alice = { token: 'limits-alice-token-0123', principal: 'alice' };
const bob = { token: 'limits-bob-token-0123456', principal: 'bob' };
const carol = { token: 'limits-carol-token-01234', principal: 'carol' };
const dave = { token: 'limits-dave-token-012345', principal: 'dave' };

async function errorOf(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    assert.ok(isProcwireError(error), `a procwire error, got ${String(error)}`);
    return { code: error.code, message: error.message };
  }
  assert.fail('expected the call to fail');
}

/** Polls `condition` every 100 ms for up to `timeoutMs`. */
async function eventually(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return condition();
}

describe('attack: escaping the process limits', () => {
  after(() => {
    killMatching('sleep 3601');
    killMatching('sleep 3602');
  });

  it('backgrounded children keep their slot, kill reaches them, and SIGTERM of the server leaves none', { timeout: 120_000 }, async () => {
    killMatching('sleep 3601');
    const server = await RealServer.start([alice, bob], ['--max-processes-per-principal', '10', '--shutdown-grace-ms', '1000']);
    const client = createClient(grpcTransport({ address: server.addresses.grpc, token: alice.token }), { retryTimeoutMs: 5000 });
    const good = createClient(websocketTransport({ url: server.addresses.websocket, token: bob.token }));
    try {
      const started = [];
      let refusal: { code: string; message: string } | undefined;
      for (let index = 0; index < 20; index++) {
        try {
          const process = await client.exec(['sh', '-c', 'sleep 3601 >/dev/null 2>&1 </dev/null &']);
          await process.wait();
          started.push(process);
        } catch (error) {
          assert.ok(isProcwireError(error));
          refusal = { code: error.code, message: error.message };
          break;
        }
      }
      assert.equal(started.length, 10, 'ten starts, then the limit');
      assert.equal(refusal?.code, ErrorCode.ResourceExhausted);
      assert.match(refusal?.message ?? '', /--max-processes-per-principal/);
      assert.ok(await eventually(() => pidsMatching('sleep 3601').length === 10, 5000), 'ten sleeps run');
      const info = await started[0]!.info();
      assert.equal(info.groupRunning, true, 'the leader exited, its group runs on');
      await started[0]!.kill('SIGKILL');
      assert.ok(await eventually(() => pidsMatching('sleep 3601').length === 9, 5000), 'kill reached the backgrounded sleep');
      const bobs = await good.exec(['echo', 'bob']);
      assert.equal(await bobs.stdout.read(), 'bob\n', 'bob is served meanwhile');
      const code = await server.stop('SIGTERM');
      const left = pidsMatching('sleep 3601');
      report(
        `orphans: 20 x sh -c 'sleep 3601 &' with --max-processes-per-principal 10: ${started.length} started, the 11th refused (${refusal?.code}); kill of one reached its sleep; SIGTERM of the server exited ${code}, sleeps left: ${left.length}`,
      );
      assert.equal(code, 0);
      assert.deepEqual(left, [], 'no sleep 3601 survives the server');
    } finally {
      await Promise.all([client.close(), good.close()]);
      await server.stop('SIGKILL');
    }
  });

  it('the total cap is a flag, and reservations keep room for every principal', { timeout: 120_000 }, async () => {
    const server = await RealServer.start(
      [alice, bob, carol, dave],
      ['--max-processes', '12', '--max-processes-per-principal', '12', '--reserved-processes-per-principal', '2'],
    );
    const clients: Record<string, Client> = {};
    for (const { token, principal } of [alice, bob, carol, dave]) {
      clients[principal] = createClient(grpcTransport({ address: server.addresses.grpc, token }), { retryTimeoutMs: 5000 });
    }
    try {
      let aliceRuns = 0;
      let refusal: { code: string; message: string } | undefined;
      while (aliceRuns < 13) {
        try {
          await clients.alice!.exec(['sleep', '3602']);
          aliceRuns++;
        } catch (error) {
          assert.ok(isProcwireError(error));
          refusal = { code: error.code, message: error.message };
          break;
        }
      }
      assert.equal(aliceRuns, 6, '12 minus 2 kept for each of the 3 others');
      assert.equal(refusal?.code, ErrorCode.ResourceExhausted);
      assert.match(refusal?.message ?? '', /--max-processes\) is 12 \(6 of them kept for other principals\)/);
      const others: Record<string, number> = {};
      for (const principal of ['bob', 'carol', 'dave']) {
        others[principal] = 0;
        for (let index = 0; index < 2; index++) {
          await clients[principal]!.exec(['sleep', '3602']);
          others[principal]++;
        }
      }
      const full = await errorOf(clients.bob!.exec(['sleep', '3602']));
      assert.equal(full.code, ErrorCode.ResourceExhausted, 'twelve in all: the cap');
      report(
        `lockout: --max-processes 12 --reserved-processes-per-principal 2, four principals: alice started ${aliceRuns} then was refused; bob, carol, dave then started ${Object.values(others).join(', ')}; the 13th process refused`,
      );
    } finally {
      await Promise.all(Object.values(clients).map((client) => client.close()));
      await server.stop();
      killMatching('sleep 3602');
    }
  });

  it('refuses timers of 2^31 ms or more: timeoutMs on a start, and every duration flag', { timeout: 60_000 }, async () => {
    const server = await RealServer.start([alice]);
    const client = createClient(websocketTransport({ url: server.addresses.websocket, token: alice.token }));
    try {
      const refused = await errorOf(client.exec(['sleep', '30'], { timeoutMs: 2 ** 31 }));
      assert.equal(refused.code, ErrorCode.InvalidArgument);
      assert.match(refused.message, /timeoutMs must be an integer number of milliseconds in 1\.\.2147483647/);
      const longest = await client.exec(['sleep', '1'], { timeoutMs: 2 ** 31 - 1 });
      assert.equal(await longest.wait(), 0, 'the longest timer does not fire at once');
    } finally {
      await client.close();
      await server.stop();
    }
    for (const flag of ['--retention-ms', '--shutdown-grace-ms', '--idle-timeout-ms', '--auth-timeout-ms']) {
      const error = await RealServer.start([alice], [flag, String(2 ** 31)]).then(
        async (started) => {
          await started.stop();
          return undefined;
        },
        (failure: unknown) => String(failure),
      );
      assert.match(error ?? 'started', new RegExp(`${flag}: must be at most 2147483647 ms`));
    }
    report('timers: timeoutMs 2^31 refused (invalid_argument), 2^31-1 accepted; --retention-ms, --shutdown-grace-ms, --idle-timeout-ms, --auth-timeout-ms of 2^31 refused at start (exit 2)');
  });
});
