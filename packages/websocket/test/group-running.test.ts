/** ProcessInfo.groupRunning crosses the WebSocket wire: members that outlive the leader are visible. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { localTransport } from '@procwire/local-pty';
import { serveWebSocket, type WebSocketServerHandle, websocketTransport } from '@procwire/websocket';

describe('groupRunning over WebSocket', () => {
  const host = localTransport();
  let server: WebSocketServerHandle;
  before(async () => {
    server = await serveWebSocket(host, { host: '127.0.0.1', port: 0, tokens: { 's3cret-a': 'alice' } });
  });
  after(async () => {
    await server.close();
    await host.close();
  });

  test('true while a background job outlives its leader, false once a signal ended it', async () => {
    const transport = websocketTransport({ url: server.url, token: 's3cret-a' });
    try {
      const processId = `bg-${process.pid}`;
      const argv = ['sh', '-c', 'sleep 3603 >/dev/null 2>&1 </dev/null &'];
      await transport.start({ processId, argv, stdout: 'pipe', stderr: 'pipe' });
      assert.deepEqual(await transport.wait({ processId }), { code: 0 });
      assert.equal((await transport.get({ processId })).groupRunning, true);
      assert.equal((await transport.list()).find((info) => info.processId === processId)?.groupRunning, true);
      await transport.signal({ processId, signal: 'SIGKILL' });
      const deadline = Date.now() + 10_000;
      while ((await transport.get({ processId })).groupRunning === true && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const info = await transport.get({ processId });
      assert.equal(info.groupRunning, undefined);
      assert.deepEqual(info.exit, { code: 0 });
    } finally {
      await transport.close();
    }
  });
});
