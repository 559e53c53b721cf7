/**
 * The shared-uid attack, end to end through the server: with `--isolation uid` and a tokens file
 * giving alice and bob users of their own, bob's process cannot read alice's environment through
 * /proc nor kill her process; alice's process is untouched.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createClient } from '@procwire/core';
import { grpcTransport } from '@procwire/grpc';
import { websocketTransport } from '@procwire/websocket';
import { RealServer } from './helpers/real-server.js';
import { report } from './helpers/report.js';

const alice = { token: 'uid-alice-token-0123456', principal: 'alice', user: '12001:12001' };
const bob = { token: 'uid-bob-token-012345678', principal: 'bob', user: '12002:12002' };
const isRoot = process.getuid?.() === 0;

describe('attack: a shared uid', () => {
  it('bob can neither read alice\'s environment nor kill her process', { timeout: 60_000, skip: isRoot ? false : 'needs root' }, async () => {
    const server = await RealServer.start([alice, bob], ['--isolation', 'uid']);
    const alices = createClient(grpcTransport({ address: server.addresses.grpc, token: alice.token }));
    const bobs = createClient(websocketTransport({ url: server.addresses.websocket, token: bob.token }));
    try {
      const secret = await alices.exec(['sleep', '600'], { env: { SECRET: 'alice-secret-value' } });
      const pid = (await secret.info()).pid;
      assert.ok(pid !== undefined && pid > 0);
      const attack = await bobs.exec(['sh', '-c', `tr "\\0" "\\n" < /proc/${pid}/environ; kill -9 ${pid}; echo kill=$?`]);
      const [stdout, stderr] = await Promise.all([attack.stdout.read(), attack.stderr.read()]);
      await attack.wait();
      const uids = await bobs.exec(['id', '-u']);
      const bobUid = (await uids.stdout.read()).trim();
      const stillRunning = (await secret.poll()) === null;
      report(
        `shared uid: bob (uid ${bobUid}) ran tr < /proc/${pid}/environ; kill -9 ${pid} against alice's sleep: stdout ${JSON.stringify(stdout.trim())}, stderr ${JSON.stringify(stderr.trim())}; alice's process still running: ${stillRunning}`,
      );
      assert.equal(bobUid, '12002');
      assert.doesNotMatch(stdout, /alice-secret-value/);
      assert.match(stderr, /Permission denied/);
      assert.match(stdout, /kill=1/);
      assert.ok(stillRunning, 'alice\'s process is untouched');
      await secret.kill('SIGKILL');
    } finally {
      await Promise.all([alices.close(), bobs.close()]);
      await server.stop();
    }
  });
});
