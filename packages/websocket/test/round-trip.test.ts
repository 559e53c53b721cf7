import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createClient, ErrorCode, isProcwireError } from '@procwire/core';
import { localTransport } from '@procwire/local-pty';
import { serveWebSocket, type WebSocketServerHandle, websocketTransport } from '@procwire/websocket';

describe('websocket round trip: core client -> websocketTransport -> serveWebSocket -> localTransport', () => {
  const host = localTransport();
  let server: WebSocketServerHandle;

  before(async () => {
    server = await serveWebSocket(host, { host: '127.0.0.1', port: 0, tokens: { 's3cret-a': 'alice' } });
  });
  after(async () => {
    await server.close();
    await host.close();
  });

  it('runs a command and delivers its stdout, stderr and exit code', async () => {
    const client = createClient(websocketTransport({ url: server.url, token: 's3cret-a' }));
    try {
      const p = await client.exec(['sh', '-c', 'echo out; echo err >&2; exit 3']);
      assert.equal(await p.stdout.read(), 'out\n');
      assert.equal(await p.stderr.read(), 'err\n');
      assert.equal(await p.wait(), 3);
    } finally {
      await client.close();
    }
  });

  it('feeds stdin to cat and reads it back, EOF included', async () => {
    const client = createClient(websocketTransport({ url: server.url, token: 's3cret-a' }));
    try {
      const p = await client.exec(['cat']);
      p.stdin.write('hello ');
      p.stdin.write('world');
      p.stdin.writeEof();
      await p.stdin.drain();
      assert.equal(await p.stdout.read(), 'hello world');
      assert.equal(await p.wait(), 0);
    } finally {
      await client.close();
    }
  });

  it('reports a missing command as not_found with its name', async () => {
    const client = createClient(websocketTransport({ url: server.url, token: 's3cret-a' }));
    try {
      await assert.rejects(client.exec(['no-such-command-procwire']), (error: unknown) => {
        assert.ok(isProcwireError(error, ErrorCode.NotFound), String(error));
        assert.match((error as Error).message, /no-such-command-procwire/);
        return true;
      });
    } finally {
      await client.close();
    }
  });
});
