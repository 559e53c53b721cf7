import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createClient, ErrorCode, isProcwireError } from '@procwire/core';
import { localTransport } from '@procwire/local-pty';
import { serveWebSocket, type WebSocketServerHandle, websocketTransport } from '@procwire/websocket';
import { rawUpgrade } from './helpers/raw-upgrade.js';

const tokens = { 'alice-token-1': 'alice', 'bob-token-22': 'bob' };

describe('websocket auth and isolation', () => {
  const host = localTransport();
  let server: WebSocketServerHandle;

  before(async () => {
    server = await serveWebSocket(host, { host: '127.0.0.1', port: 0, path: '/procwire', tokens });
  });
  after(async () => {
    await server.close();
    await host.close();
  });

  it('refuses an upgrade without a token with 401 and makes no socket', async () => {
    const answer = await rawUpgrade(server.url, { 'sec-websocket-protocol': 'procwire.v1' });
    assert.equal(answer.status, 401);
    assert.equal(answer.headers['www-authenticate'], 'Bearer');
    assert.match(answer.body, /token is required/);
  });

  it('refuses a wrong token with 401, and the answer never contains the token', async () => {
    const answer = await rawUpgrade(server.url, {
      'sec-websocket-protocol': 'procwire.v1',
      authorization: 'Bearer alice-token-2',
    });
    assert.equal(answer.status, 401);
    assert.ok(!JSON.stringify(answer).includes('alice-token'), 'the answer echoes the token');
  });

  it('refuses another path with 404 and a missing subprotocol with 400', async () => {
    const wrongPath = await rawUpgrade(server.url.replace('/procwire', '/other'), {
      'sec-websocket-protocol': 'procwire.v1',
      authorization: 'Bearer alice-token-1',
    });
    assert.equal(wrongPath.status, 404);
    const noProtocol = await rawUpgrade(server.url, { authorization: 'Bearer alice-token-1' });
    assert.equal(noProtocol.status, 400);
    const otherProtocol = await rawUpgrade(server.url, {
      'sec-websocket-protocol': 'procwire.v2',
      authorization: 'Bearer alice-token-1',
    });
    assert.equal(otherProtocol.status, 400);
  });

  it('accepts a browser-style token subprotocol and answers procwire.v1 only', async () => {
    const entry = `procwire.token.${Buffer.from('bob-token-22').toString('base64url')}`;
    const answer = await rawUpgrade(server.url, { 'sec-websocket-protocol': `procwire.v1, ${entry}` });
    assert.equal(answer.status, 101);
    assert.equal(answer.headers['sec-websocket-protocol'], 'procwire.v1');
  });

  it('makes a client with a wrong token fail with unauthenticated', async () => {
    const client = createClient(websocketTransport({ url: server.url, token: 'not-a-token' }));
    try {
      await assert.rejects(client.list(), (error: unknown) => isProcwireError(error, ErrorCode.Unauthenticated));
    } finally {
      await client.close();
    }
  });

  it("hides one principal's processes from another: list, get, read, write, signal answer not_found", async () => {
    const alice = createClient(websocketTransport({ url: server.url, token: 'alice-token-1' }));
    const bobTransport = websocketTransport({ url: server.url, token: 'bob-token-22' });
    const bob = createClient(bobTransport);
    try {
      const p = await alice.exec(['cat']);
      assert.ok((await alice.list()).some((info) => info.id === p.id));
      assert.ok(!(await bob.list()).some((info) => info.id === p.id));
      const notFound = (error: unknown) => isProcwireError(error, ErrorCode.NotFound);
      await assert.rejects(bob.get(p.id), notFound);
      await assert.rejects(bobTransport.get({ processId: p.id }), notFound);
      await assert.rejects(bobTransport.poll({ processId: p.id }), notFound);
      await assert.rejects(bobTransport.signal({ processId: p.id, signal: 'SIGKILL' }), notFound);
      await assert.rejects(
        bobTransport.writeInput({ processId: p.id, offset: 0, data: new TextEncoder().encode('x'), eof: true }),
        notFound,
      );
      await assert.rejects(async () => {
        for await (const _ of bobTransport.readOutput({ processId: p.id, fd: 1, offset: 0 })) break;
      }, notFound);
      // Alice's process is untouched by all that: it still echoes and ends normally.
      p.stdin.write('still mine');
      p.stdin.writeEof();
      assert.equal(await p.stdout.read(), 'still mine');
      assert.equal(await p.wait(), 0);
    } finally {
      await alice.close();
      await bob.close();
    }
  });

  it('refuses to listen on a non-loopback host without tokens', async () => {
    await assert.rejects(serveWebSocket(host, { host: '0.0.0.0', port: 0 }), /loopback/);
  });
});
