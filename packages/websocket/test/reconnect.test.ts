import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ErrorCode, isProcwireError } from '@procwire/core';
import { type FaultProxy, startFaultProxy } from '@procwire/fault-proxy';
import { localTransport } from '@procwire/local-pty';
import { serveWebSocket, type WebSocketServerHandle, websocketTransport } from '@procwire/websocket';

describe('websocketTransport connection handling', () => {
  const host = localTransport();
  let server: WebSocketServerHandle;
  let proxy: FaultProxy;
  let url: string;

  before(async () => {
    server = await serveWebSocket(host, { port: 0, tokens: { 'rc-token': 'rc' } });
    proxy = await startFaultProxy({ targetHost: '127.0.0.1', targetPort: server.port });
    url = server.url.replace(`:${server.port}/`, `:${proxy.port}/`);
  });
  after(async () => {
    await proxy.close();
    await server.close();
    await host.close();
  });

  it('fails calls in flight with unavailable on a cut, and the next call reconnects', async () => {
    const transport = websocketTransport({ url, token: 'rc-token' });
    try {
      await transport.start({ processId: 'rc-sleep', argv: ['sleep', '30'], stdout: 'pipe', stderr: 'pipe' });
      const waiting = transport.wait({ processId: 'rc-sleep' });
      const accepted = proxy.stats.accepted;
      assert.equal(proxy.cutAll(), 1);
      await assert.rejects(waiting, (error: unknown) => isProcwireError(error, ErrorCode.Unavailable));
      const info = await transport.get({ processId: 'rc-sleep' });
      assert.equal(info.state, 'running', 'the process outlives the connection');
      assert.equal(proxy.stats.accepted, accepted + 1);
      await transport.signal({ processId: 'rc-sleep', signal: 'SIGKILL' });
      assert.equal((await transport.wait({ processId: 'rc-sleep' })).code, 137);
    } finally {
      await transport.close();
    }
  });

  it('answers unavailable while the server is down and recovers when it is back', async () => {
    const transport = websocketTransport({ url, token: 'rc-token' });
    try {
      proxy.refuse(true);
      await assert.rejects(transport.list(), (error: unknown) => isProcwireError(error, ErrorCode.Unavailable));
      proxy.refuse(false);
      // The backoff after a failure is at most 2 s; a few tries get through.
      let listed: unknown;
      for (let attempt = 0; attempt < 20 && listed === undefined; attempt++) {
        listed = await transport.list().catch(() => undefined);
      }
      assert.ok(Array.isArray(listed));
    } finally {
      proxy.refuse(false);
      await transport.close();
    }
  });

  it('rejects calls with closed after close(), and abort rejects a call with aborted', async () => {
    const transport = websocketTransport({ url, token: 'rc-token' });
    await transport.start({ processId: 'rc-abort', argv: ['sleep', '30'], stdout: 'pipe', stderr: 'pipe' });
    const controller = new AbortController();
    const waiting = transport.wait({ processId: 'rc-abort' }, { signal: controller.signal });
    controller.abort();
    await assert.rejects(waiting, (error: unknown) => isProcwireError(error, ErrorCode.Aborted));
    await transport.signal({ processId: 'rc-abort', signal: 'SIGKILL' });
    await transport.close();
    await assert.rejects(transport.list(), (error: unknown) => isProcwireError(error, ErrorCode.Closed));
  });
});
