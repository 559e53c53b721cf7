import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { type Client, createClient } from '@procwire/core';
import { grpcTransport } from '@procwire/grpc/client';
import { websocketTransport } from '@procwire/websocket/client';
import { eventually, runProcwire, startProcwire } from './cli-process.js';
import { startServerApp } from './server-app-process.js';
import { aliceToken } from './targets.js';

// The real server app with its default --replay-bytes, as users run it.
const ready = await startServerApp();
const clients: Client[] = [];
after(async () => {
  await Promise.all(clients.map((client) => client.close()));
  await ready.stop();
});

const targets = [
  { name: 'grpc', url: `grpc://${ready.grpc}`, client: () => createClient(grpcTransport({ address: ready.grpc, token: aliceToken })) },
  { name: 'websocket', url: ready.websocket, client: () => createClient(websocketTransport({ url: ready.websocket, token: aliceToken })) },
];

for (const target of targets) {
  describe(`procwire attach replays what the server kept (${target.name})`, () => {
    const env = { PROCWIRE_TOKEN: aliceToken };

    it('prints the consumed output first, then the later output, each byte once; --no-replay only the later output', async () => {
      const client = target.client();
      clients.push(client);
      const started = await client.exec(['sh', '-c', 'echo first; read a; echo "second $a"; read b; echo "third $b"; exit 6'], {
        byLine: true,
      });
      const lines = started.stdout[Symbol.asyncIterator]();
      assert.deepEqual(await lines.next(), { done: false, value: 'first\n' });
      // The consumer's progress reaches the server: attaching now without replay would show nothing of it.
      const acknowledged = async (offset: number) =>
        eventually(`the server to have ${offset} bytes acknowledged`, async () =>
          (await started.info()).stdout.acknowledged === offset || undefined,
        );
      await acknowledged('first\n'.length);

      const replaying = startProcwire(['attach', started.id, '--url', target.url], { env });
      await eventually('attach to replay the first line', async () => replaying.stdoutSoFar().includes('first\n') || undefined);
      started.stdin.write('x\n');
      await started.stdin.drain();
      await eventually('attach to print the later line', async () => replaying.stdoutSoFar().includes('second x\n') || undefined);
      replaying.child.kill('SIGINT');
      const detached = await replaying.finished;
      assert.equal(detached.code, 130, detached.stderr);
      assert.equal(detached.stdout.toString(), 'first\nsecond x\n', 'the consumed line first, then the later one, once each');
      await acknowledged('first\nsecond x\n'.length);

      const following = startProcwire(['attach', '--no-replay', started.id, '--url', target.url], { env });
      // Nobody else reads now, so whenever it attaches, it starts after 'second x'.
      started.stdin.write('y\n');
      await started.stdin.drain();
      const followed = await following.finished;
      assert.equal(followed.code, 6, followed.stderr);
      assert.equal(followed.stdout.toString(), 'third y\n');

      // After the exit, attach replays everything the server kept, once, and exits with the code.
      const late = await runProcwire(['attach', started.id, '--url', target.url], { env });
      assert.equal(late.code, 6, late.stderr);
      assert.equal(late.stdout.toString(), 'first\nsecond x\nthird y\n');
      await lines.return?.();
    });
  });
}
