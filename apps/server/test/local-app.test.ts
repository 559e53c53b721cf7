import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { get as httpsGet } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createClient } from '@procwire/core';
import { grpcTransport } from '@procwire/grpc/client';
import { localTransport } from '@procwire/local-pty';
import { websocketTransport } from '@procwire/websocket/client';
import { createLogger, createServerApp, grpcFront, loadConfig, type ServerConfig, websocketFront } from 'procwire-server';
import { LogCapture } from './support/log-capture.js';
import { isAlive } from './support/server-process.js';
import { aliceToken, writeTokensFile } from './support/tokens.js';

function config(extra: string[]): ServerConfig {
  const loaded = loadConfig({
    argv: ['--grpc-listen=127.0.0.1:0', '--http-listen=127.0.0.1:0', `--tokens-file=${writeTokensFile()}`, ...extra],
    env: {},
  });
  assert.equal(loaded.kind, 'run');
  return loaded.config;
}

describe('createServerApp over localTransport', () => {
  it('runs a pty over WebSocket, resizes it, and close() ends running processes', async () => {
    const app = createServerApp({
      transport: localTransport(),
      config: config(['--shutdown-grace-ms=1000']),
      logger: createLogger('silent', new LogCapture()),
      grpcFront,
      websocketFront,
    });
    const addresses = await app.start();
    const client = createClient(websocketTransport({ url: addresses.websocket ?? '', token: aliceToken }));
    try {
      const tty = await client.exec(['sh', '-c', 'stty size; read line; stty size'], { pty: { cols: 90, rows: 30 } });
      const output = tty.stdout[Symbol.asyncIterator]();
      let seen = '';
      while (!seen.includes('30 90')) seen += String((await output.next()).value);
      await tty.resize({ cols: 100, rows: 40 });
      tty.stdin.write('go\r');
      while (!seen.includes('40 100')) seen += String((await output.next()).value);
      assert.equal(await tty.wait(), 0);

      const sleeper = await client.exec(['sleep', '1000']);
      const pid = (await sleeper.info()).pid;
      assert.ok(pid !== undefined && isAlive(pid));
      const report = await app.close();
      assert.deepEqual(report, { signalled: 1, killed: 0 });
      assert.equal(isAlive(pid), false);
    } finally {
      await client.close();
      await app.close();
    }
  });

  it('serves gRPC and HTTPS with TLS when a certificate and key are configured', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'procwire-tls-'));
    const certFile = join(dir, 'cert.pem');
    const keyFile = join(dir, 'key.pem');
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
      '-keyout', keyFile, '-out', certFile,
    ], { stdio: 'ignore' });
    const ca = readFileSync(certFile, 'utf8');
    const app = createServerApp({
      transport: localTransport(),
      config: config([`--tls-cert=${certFile}`, `--tls-key=${keyFile}`]),
      logger: createLogger('silent', new LogCapture()),
      grpcFront,
      websocketFront,
    });
    const addresses = await app.start();
    try {
      assert.match(addresses.http, /^https:\/\//);
      assert.match(addresses.websocket ?? '', /^wss:\/\//);
      const status = await new Promise<number>((resolve, reject) => {
        httpsGet(`${addresses.http}/healthz`, { ca, agent: false }, (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        }).on('error', reject);
      });
      assert.equal(status, 200);
      const client = createClient(grpcTransport({ address: addresses.grpc ?? '', token: aliceToken, tls: { ca } }));
      try {
        const echo = await client.exec(['echo', 'over tls']);
        assert.equal(await echo.stdout.read(), 'over tls\n');
      } finally {
        await client.close();
      }
    } finally {
      await app.close();
    }
  });
});
