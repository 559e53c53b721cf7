import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createClient } from '@procwire/core';
import { isProcwireError, type Transport } from '@procwire/core/transport';
import { serveGrpc } from '@procwire/grpc/server';
import { localTransport } from '@procwire/local-pty';
import { type Stack, startStack } from './support/stack.js';

const tokens = { 'alice-token-0123456789': 'alice', 'bob-token-9876543210': 'bob' };

/** One call of every Procwire RPC the Transport contract has, against process `id`. */
function everyCall(transport: Transport, id: string): Record<string, () => Promise<unknown>> {
  return {
    start: () => transport.start({ processId: id, argv: ['true'], stdout: 'pipe', stderr: 'pipe' }),
    readOutput: async () => {
      for await (const _chunk of transport.readOutput({ processId: id, fd: 1, offset: 0 })) break;
    },
    ackOutput: () => transport.ackOutput({ processId: id, fd: 1, offset: 0 }),
    writeInput: () => transport.writeInput({ processId: id, offset: 0, data: new Uint8Array([1]), eof: false }),
    wait: () => transport.wait({ processId: id }),
    poll: () => transport.poll({ processId: id }),
    signal: () => transport.signal({ processId: id, signal: 'SIGTERM' }),
    resize: () => transport.resize({ processId: id, size: { cols: 80, rows: 24 } }),
    get: () => transport.get({ processId: id }),
    list: () => transport.list(),
  };
}

describe('auth: bearer tokens name principals', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({ tokens });
  });
  after(() => stack.close());

  for (const [label, token] of [
    ['no token', undefined],
    ['a wrong token', 'alice-token-012345678X'],
    ['an empty-looking token', ' '],
  ] as const) {
    test(`${label} gets unauthenticated on every RPC`, async () => {
      const transport = stack.transport(token === undefined ? {} : { token });
      for (const [name, call] of Object.entries(everyCall(transport, 'auth-probe'))) {
        await assert.rejects(call(), (error) => {
          assert.ok(isProcwireError(error, 'unauthenticated'), `${name}: ${String(error)}`);
          return true;
        });
      }
    });
  }

  test("bob cannot see, read, write, signal, resize or wait for alice's process: not_found", async () => {
    const alice = createClient(stack.transport({ token: 'alice-token-0123456789' }));
    const bob = stack.transport({ token: 'bob-token-9876543210' });
    const p = await alice.exec(['sh', '-c', 'echo secret; sleep 30']);
    for (const [name, call] of Object.entries(everyCall(bob, p.id))) {
      if (name === 'start' || name === 'list') continue;
      await assert.rejects(call(), (error) => {
        assert.ok(isProcwireError(error, 'not_found'), `${name}: ${String(error)}`);
        return true;
      });
    }
    assert.deepEqual(
      (await bob.list()).map((info) => info.processId),
      [],
      'bob lists none of alice’s processes',
    );
    // The same id is bob's own namespace: starting it runs a new process for bob, not alice's.
    const bobs = await bob.start({ processId: p.id, argv: ['true'], stdout: 'pipe', stderr: 'pipe' });
    assert.deepEqual(bobs.argv, ['true']);
    assert.equal((await alice.list()).find((info) => info.id === p.id)?.argv[0], 'sh');
    await p.kill('SIGKILL');
    assert.equal(await p.wait(), 137);
  });
});

describe('serveGrpc without tokens', () => {
  test('refuses to listen on a non-loopback host', async () => {
    const host = localTransport();
    await assert.rejects(serveGrpc(host, { host: '0.0.0.0', port: 0 }), (error) => {
      assert.ok(isProcwireError(error, 'invalid_argument'));
      assert.match(String(error), /tokens/);
      return true;
    });
    await host.close();
  });

  test('serves loopback with no authentication', async () => {
    const stack = await startStack({});
    try {
      const client = createClient(stack.transport());
      const p = await client.exec(['echo', 'open']);
      assert.equal(await p.stdout.read(), 'open\n');
    } finally {
      await stack.close();
    }
  });
});
