import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { build } from 'esbuild';
import { localTransport } from '@procwire/local-pty';
import { serveWebSocket, type WebSocketServerHandle } from '@procwire/websocket';
import { type BrowserContext, chromium } from 'playwright-core';
import type { PageRunResult } from './browser/page.js';

const pageEntry = fileURLToPath(new URL('./browser/page.js', import.meta.url));

describe('websocket in Chromium: the browser client bundled by esbuild', () => {
  const host = localTransport();
  let server: WebSocketServerHandle;
  let pageServer: Server;
  let pageUrl: string;
  let userDataDir: string;
  let browser: BrowserContext;
  let bundledInputs: string[] = [];

  before(async () => {
    const bundle = await build({
      entryPoints: [pageEntry],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    bundledInputs = Object.keys(bundle.metafile.inputs);
    const script = bundle.outputFiles[0]!.contents;
    const html = '<!doctype html><meta charset="utf-8"><title>procwire</title><script type="module" src="/page.js"></script>';
    pageServer = createServer((request, response) => {
      if (request.url === '/page.js') {
        response.writeHead(200, { 'content-type': 'text/javascript' });
        response.end(script);
      } else {
        response.writeHead(200, { 'content-type': 'text/html' });
        response.end(html);
      }
    });
    await new Promise<void>((resolve) => pageServer.listen(0, '127.0.0.1', resolve));
    pageUrl = `http://127.0.0.1:${(pageServer.address() as AddressInfo).port}/`;
    // The page comes from another origin (another port): the server must allow it by name.
    server = await serveWebSocket(host, {
      host: '127.0.0.1',
      port: 0,
      tokens: { 'browser-token': 'browser' },
      allowedOrigins: [new URL(pageUrl).origin],
    });
    userDataDir = await mkdtemp(join(tmpdir(), 'procwire-chromium-'));
    browser = await chromium.launchPersistentContext(userDataDir, {
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });
  after(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => (pageServer ? pageServer.close(() => resolve()) : resolve()));
    await server?.close();
    await host.close();
    if (userDataDir) await rm(userDataDir, { recursive: true, force: true });
  });

  it('bundles without ws or any Node module', () => {
    assert.ok(bundledInputs.some((input) => input.includes('client/browser.js')), bundledInputs.join('\n'));
    assert.ok(!bundledInputs.some((input) => /node_modules\/(\.pnpm\/)?ws[@/]/.test(input)), 'the bundle pulled in ws');
    assert.ok(!bundledInputs.some((input) => input.startsWith('node:')), 'the bundle pulled in a Node module');
  });

  it('runs a command on the server from a page and gets its output and exit code', { timeout: 60_000 }, async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(pageUrl);
    await page.waitForFunction(() => 'runProcwire' in globalThis);
    const result = await page.evaluate(
      ([url, token]) =>
        (globalThis as unknown as { runProcwire(url: string, token: string): Promise<PageRunResult> }).runProcwire(
          url!,
          token!,
        ),
      [server.url, 'browser-token'],
    );
    assert.deepEqual(errors, []);
    assert.equal(result.stdout, 'from the browser: chromium\n');
    assert.equal(result.exitCode, 5);
    assert.equal(result.echoed, 'typed in a page');
    await page.close();
  });
});
