import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createClient } from '@procwire/core';
import { type FaultProxy, startFaultProxy } from '@procwire/fault-proxy';
import { localTransport } from '@procwire/local-pty';
import { serveWebSocket, type WebSocketServerHandle, websocketTransport } from '@procwire/websocket';

const MiB = 1024 * 1024;
const STDOUT_BYTES = 64 * MiB;
const STDIN_BYTES = 16 * MiB;
/** Cut every connection each time this much more data has crossed, counting both directions. */
const CUT_EVERY_BYTES = 5 * MiB;

function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

describe('websocket resume through a fault proxy that cuts the connection', () => {
  const host = localTransport();
  let server: WebSocketServerHandle;
  let proxy: FaultProxy;
  let directory: string;

  before(async () => {
    server = await serveWebSocket(host, { host: '127.0.0.1', port: 0, tokens: { 'resume-token': 'resumer' } });
    proxy = await startFaultProxy({ targetHost: '127.0.0.1', targetPort: server.port });
    directory = await mkdtemp(join(tmpdir(), 'procwire-ws-resume-'));
  });
  after(async () => {
    await proxy.close();
    await server.close();
    await host.close();
    await rm(directory, { recursive: true, force: true });
  });

  it('moves 64 MiB of stdout and 16 MiB of stdin through cat across >= 10 cuts, byte for byte', { timeout: 120_000 }, async (t) => {
    const outputFile = join(directory, 'stdout.bin');
    const outputData = randomBytes(STDOUT_BYTES);
    await writeFile(outputFile, outputData);
    const inputData = randomBytes(STDIN_BYTES);

    const url = server.url.replace(`:${server.port}/`, `:${proxy.port}/`);
    const client = createClient(websocketTransport({ url, token: 'resume-token' }), { retryTimeoutMs: 60_000 });
    let progress = 0;
    let nextCutAt = CUT_EVERY_BYTES;
    let cuts = 0;
    const advance = (bytes: number) => {
      progress += bytes;
      if (progress >= nextCutAt) {
        nextCutAt += CUT_EVERY_BYTES;
        if (proxy.cutAll() > 0) cuts++;
      }
    };
    try {
      const producer = await client.exec(['cat', outputFile], { text: false });
      const echo = await client.exec(['cat'], { text: false });

      const readAll = async (stream: AsyncIterable<Uint8Array>) => {
        const hash = createHash('sha256');
        let length = 0;
        for await (const chunk of stream) {
          hash.update(chunk);
          length += chunk.byteLength;
          advance(chunk.byteLength);
        }
        return { length, sha: hash.digest('hex') };
      };
      const writeAll = async () => {
        for (let at = 0; at < STDIN_BYTES; at += MiB) {
          echo.stdin.write(inputData.subarray(at, at + MiB));
          await echo.stdin.drain();
          advance(MiB);
        }
        echo.stdin.writeEof();
        await echo.stdin.drain();
      };
      const [produced, echoed] = await Promise.all([readAll(producer.stdout), readAll(echo.stdout), writeAll()]);

      assert.equal(produced.length, STDOUT_BYTES);
      assert.equal(produced.sha, sha256(outputData));
      assert.equal(echoed.length, STDIN_BYTES);
      assert.equal(echoed.sha, sha256(inputData));
      assert.equal(await producer.wait(), 0);
      assert.equal(await echo.wait(), 0);
      t.diagnostic(`${cuts} cuts, ${proxy.stats.accepted} connections`);
      assert.ok(cuts >= 10, `only ${cuts} cuts happened`);
      assert.ok(proxy.stats.accepted > cuts, `the client reconnected ${proxy.stats.accepted} times for ${cuts} cuts`);
    } finally {
      await client.close();
    }
  });
});
