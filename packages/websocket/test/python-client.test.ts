import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { localTransport } from '@procwire/local-pty';
import { serveWebSocket, type WebSocketServerHandle } from '@procwire/websocket';

const run = promisify(execFile);
// The script lives in the source tree (test/python), one level up from dist-test.
const script = fileURLToPath(new URL('../test/python/procwire_client.py', import.meta.url));

describe('websocket: an independent Python client (Debian python3-websockets)', () => {
  const host = localTransport();
  let server: WebSocketServerHandle;

  before(async () => {
    server = await serveWebSocket(host, { host: '127.0.0.1', port: 0, tokens: { 'py-token': 'python' } });
  });
  after(async () => {
    await server.close();
    await host.close();
  });

  it('execs, writes stdin with EOF, reads stdout and stderr, and waits for the exit code', { timeout: 60_000 }, async () => {
    const { stdout } = await run(
      '/usr/bin/python3',
      [script, server.url, 'py-token', 'hello from python\n', '--', 'sh', '-c', 'read line; echo "got:$line"; echo oops >&2; exit 7'],
      { timeout: 50_000 },
    );
    const result = JSON.parse(stdout) as {
      stdout: string;
      stderr: string;
      exit: { code: number };
      info: { state: string; stdin: { offset: number; eof: boolean } };
    };
    assert.equal(result.stdout, 'got:hello from python\n');
    assert.equal(result.stderr, 'oops\n');
    assert.equal(result.exit.code, 7);
    assert.deepEqual(result.info, { state: 'exited', stdin: { offset: 18, eof: true } });
  });
});
