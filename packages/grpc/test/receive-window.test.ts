import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect } from 'node:http2';
import { test } from 'node:test';
import { startStack } from './support/stack.js';

// HTTP/2 starts every connection and stream with a 64 KiB receive window, which caps stdin at 64 KiB
// per round trip; the server opens 8 MiB for both (grpc-js has no server option for it).
test('the server opens an 8 MiB HTTP/2 receive window per connection and per stream', async () => {
  const stack = await startStack({});
  const session = connect(`http://${stack.server.address}`);
  try {
    await once(session, 'connect');
    // A ping round trip: the server's SETTINGS and WINDOW_UPDATE were sent before its answer.
    await new Promise<void>((resolve, reject) => session.ping((error) => (error ? reject(error) : resolve())));
    assert.equal(session.remoteSettings.initialWindowSize, 8 * 1024 * 1024, 'window of each new stream');
    assert.ok(
      (session.state.remoteWindowSize ?? 0) >= 8 * 1024 * 1024,
      `connection window ${String(session.state.remoteWindowSize)}`,
    );
  } finally {
    session.destroy();
    await stack.close();
  }
});
