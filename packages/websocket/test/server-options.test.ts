import assert from 'node:assert/strict';
import { createServer, get } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createClient, type Transport } from '@procwire/core';
import { localTransport } from '@procwire/local-pty';
import { CloseCode, serveWebSocket, websocketTransport } from '@procwire/websocket';
import { rawUpgrade } from './helpers/raw-upgrade.js';
import { RawClient } from './helpers/raw-client.js';
import { selfSignedCertificate } from './helpers/self-signed.js';

async function echoThrough(transport: Transport, text: string): Promise<[string, number]> {
  const client = createClient(transport);
  try {
    const p = await client.exec(['echo', text]);
    return [await p.stdout.read(), await p.wait()];
  } finally {
    await client.close();
  }
}

describe('serveWebSocket options', () => {
  const host = localTransport();
  after(() => host.close());

  it('serves wss:// with tls options, and the Node client trusts a given CA', async () => {
    const { cert, key } = selfSignedCertificate();
    const server = await serveWebSocket(host, { port: 0, tls: { cert, key }, tokens: { 'tls-token': 'tls' } });
    try {
      assert.match(server.url, /^wss:\/\/127\.0\.0\.1:\d+\/procwire$/);
      const transport = websocketTransport({ url: server.url, token: 'tls-token', tls: { ca: cert } });
      assert.deepEqual(await echoThrough(transport, 'over tls'), ['over tls\n', 0]);
    } finally {
      await server.close();
    }
  });

  describe('attached to an existing http server', () => {
    const http = createServer((request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.end(`app route ${request.url}`);
    });
    let handle: Awaited<ReturnType<typeof serveWebSocket>>;

    before(async () => {
      await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
      handle = await serveWebSocket(host, { server: http, path: '/ws', tokens: { 'shared-token': 'shared' } });
    });
    after(async () => {
      await handle.close();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    });

    it('serves procwire.v1 at its path on the shared port', async () => {
      assert.equal(handle.port, (http.address() as AddressInfo).port);
      assert.equal(handle.url, `ws://127.0.0.1:${handle.port}/ws`);
      const transport = websocketTransport({ url: handle.url, token: 'shared-token' });
      assert.deepEqual(await echoThrough(transport, 'shared'), ['shared\n', 0]);
    });

    it("leaves the app's own requests alone and refuses upgrades elsewhere with 404", async () => {
      const body = await new Promise<string>((resolve, reject) => {
        get(`http://127.0.0.1:${handle.port}/health`, (response) => {
          let text = '';
          response.on('data', (chunk: Buffer) => {
            text += chunk.toString();
          });
          response.on('end', () => resolve(text));
        }).on('error', reject);
      });
      assert.equal(body, 'app route /health');
      const answer = await rawUpgrade(`ws://127.0.0.1:${handle.port}/elsewhere`, {
        'sec-websocket-protocol': 'procwire.v1',
        authorization: 'Bearer shared-token',
      });
      assert.equal(answer.status, 404);
    });
  });

  it('closes an idle connection with 4000 after idleTimeoutMs', async () => {
    const server = await serveWebSocket(host, { port: 0, tokens: { 'idle-token': 'idle' }, limits: { idleTimeoutMs: 100 } });
    try {
      const raw = await RawClient.connect(server.url, 'idle-token');
      const closed = await raw.closed;
      assert.equal(closed.code, CloseCode.Idle);
    } finally {
      await server.close();
    }
  });

  it('closes connections with 1001 on close(), and clients then get unavailable', async () => {
    const server = await serveWebSocket(host, { port: 0, tokens: { 'bye-token': 'bye' } });
    const raw = await RawClient.connect(server.url, 'bye-token');
    await server.close();
    assert.equal((await raw.closed).code, CloseCode.GoingAway);
  });

  it('rejects bad options with an error naming the option', async () => {
    await assert.rejects(serveWebSocket(host, { path: 'procwire' }), /path must start with "\/"/);
    await assert.rejects(serveWebSocket(host, { limits: { maxFrameBytes: 10 } }), /limits\.maxFrameBytes/);
    await assert.rejects(serveWebSocket(host, { tokens: {} }), /at least one token/);
    assert.throws(() => websocketTransport({ url: 'http://127.0.0.1/procwire' }), /ws:\/\/ or wss:\/\//);
    assert.throws(() => websocketTransport({ url: 'ws://127.0.0.1/p', readWindowBytes: 0 }), /readWindowBytes/);
  });
});
