import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createClient } from '@procwire/core';
import { localTransport } from '@procwire/local-pty';
import { websocketTransport } from '@procwire/websocket/client';
import { createLogger, createServerApp, loadConfig, type ServerApp, websocketFront } from 'procwire-server';
import { LogCapture } from './support/log-capture.js';
import { aliceToken, writeTokensFile } from './support/tokens.js';

const detachTimeoutMs = 400;

describe('--detach-timeout-ms: a terminal nobody reads is hung up', () => {
  let app: ServerApp;
  let url: string;

  before(async () => {
    const loaded = loadConfig({
      argv: [
        '--grpc-listen=127.0.0.1:0',
        '--http-listen=127.0.0.1:0',
        `--tokens-file=${writeTokensFile()}`,
        `--detach-timeout-ms=${detachTimeoutMs}`,
      ],
      env: {},
    });
    assert.equal(loaded.kind, 'run');
    app = createServerApp({
      transport: localTransport(),
      config: loaded.config,
      logger: createLogger('silent', new LogCapture()),
      websocketFront,
    });
    url = (await app.start()).websocket ?? '';
  });
  after(() => app.close());

  it('an abandoned shell gets SIGHUP; a shell with a reader runs on', async () => {
    const first = createClient(websocketTransport({ url, token: aliceToken }));
    // A shell that stays up until it is hung up (SIGHUP: 129), read by a terminal that goes away.
    const abandoned = await first.exec(['sh', '-c', 'echo ready; exec sleep 60'], { pty: true });
    const output = abandoned.stdout[Symbol.asyncIterator]();
    assert.match(String((await output.next()).value), /ready/);
    await first.close();

    const second = createClient(websocketTransport({ url, token: aliceToken }));
    try {
      const attached = await second.exec(['sh', '-c', 'echo ready; exec sleep 60'], { pty: true });
      const reading = (async () => {
        for await (const _chunk of attached.stdout);
      })();
      // The abandoned one ends by SIGHUP within a few timeouts (no reader: the clock ran out).
      const started = Date.now();
      const lost = await second.get(abandoned.id);
      assert.equal(await lost.wait(), 129);
      assert.ok(Date.now() - started < 10 * detachTimeoutMs + 5000);
      // The attached one has had a reader all along, for more than three timeouts: still running.
      await new Promise((resolve) => setTimeout(resolve, 3 * detachTimeoutMs));
      assert.equal(await attached.poll(), null);
      await attached.kill('SIGKILL');
      assert.equal(await attached.wait(), 137);
      await reading;
    } finally {
      await second.close();
    }
  });

  it('a reader that comes back in time keeps the shell', async () => {
    const first = createClient(websocketTransport({ url, token: aliceToken }));
    const shell = await first.exec(['sh', '-c', 'echo ready; exec sleep 60'], { pty: true });
    assert.match(String((await shell.stdout[Symbol.asyncIterator]().next()).value), /ready/);
    await first.close();
    // Back well before the timeout (a reloaded page), and reading from then on.
    const second = createClient(websocketTransport({ url, token: aliceToken }));
    try {
      const again = await second.get(shell.id);
      const reading = (async () => {
        for await (const _chunk of again.stdout);
      })();
      await new Promise((resolve) => setTimeout(resolve, 3 * detachTimeoutMs));
      assert.equal(await again.poll(), null);
      await again.kill('SIGKILL');
      assert.equal(await again.wait(), 137);
      await reading;
    } finally {
      await second.close();
    }
  });
});
