import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createClient } from '@procwire/core';
import { localTransport } from '@procwire/local-pty';
import { serveWebSocket, type WebSocketServerHandle, websocketTransport } from '@procwire/websocket';

// Small acks are held back (a terminal's echo is not acked per keystroke): a transport that closes
// must send the ones it holds. (That they reach the host at all is a conformance case.)
describe('websocketTransport acknowledgements', () => {
  const host = localTransport();
  let server: WebSocketServerHandle;

  before(async () => {
    server = await serveWebSocket(host, { port: 0, tokens: { 'ack-token': 'ivan' } });
  });
  after(async () => {
    await server.close();
    await host.close();
  });

  // A reader that stops (a CLI's attach that detaches) must leave the host knowing what it took:
  // the next reader starts at the host's acknowledged offset and must not get those bytes again.
  it('closing the transport sends its held acks first', { timeout: 30_000 }, async () => {
    const first = createClient(websocketTransport({ url: server.url, token: 'ack-token' }));
    const p = await first.exec(['sh', '-c', 'echo first; read line; echo "got $line"; exit 5'], { byLine: true });
    assert.equal((await p.stdout[Symbol.asyncIterator]().next()).value, 'first\n');
    await first.close();

    const observer = websocketTransport({ url: server.url, token: 'ack-token' });
    const second = createClient(observer);
    try {
      assert.equal((await observer.get({ processId: p.id })).stdout.acknowledged, 'first\n'.length);
      const again = await second.get(p.id);
      again.stdin.write('again\n');
      assert.equal(await again.stdout.read(), 'got again\n', 'the second reader continues where the first stopped');
      assert.equal(await again.wait(), 5);
    } finally {
      await second.close();
    }
  });
});
