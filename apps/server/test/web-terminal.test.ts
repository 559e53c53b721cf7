import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type FaultProxy, startFaultProxy } from '@procwire/fault-proxy';
import type { Page } from 'playwright-core';
import { type LaunchedChromium, launchChromium } from './support/chromium.js';
import { type ServerProcess, startServerProcess } from './support/server-process.js';
import { aliceToken, writeTokensFile } from './support/tokens.js';

/** The visible terminal text, row by row (xterm.js renders rows into the DOM). */
async function screenText(page: Page): Promise<string> {
  const rows = await page.locator('.xterm-rows > div').allTextContents();
  return rows.join('\n').replace(/\u00a0/g, ' ');
}

/** Polls the screen until `pattern` matches; returns the match. */
async function waitForScreen(page: Page, pattern: RegExp, what: string, timeoutMs = 20_000): Promise<RegExpMatchArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = await screenText(page);
    const match = text.match(pattern);
    if (match !== null) return match;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}; the screen shows:\n${text}`);
    await page.waitForTimeout(100);
  }
}

async function typeLine(page: Page, line: string): Promise<void> {
  await page.keyboard.type(line);
  await page.keyboard.press('Enter');
}

async function openTerminal(page: Page, baseUrl: string): Promise<void> {
  await page.goto(`${baseUrl}/#token=${aliceToken}`);
  await page.waitForSelector('body[data-state="running"]', { timeout: 20_000 });
  // The token is taken out of the address bar once read.
  assert.ok(!page.url().includes(aliceToken));
  await typeLine(page, 'echo prompt-is-$((1+1))');
  await waitForScreen(page, /^prompt-is-2\s*$/m, 'the shell to answer');
}

describe('web terminal in Chromium', () => {
  let server: ServerProcess;
  let chromium: LaunchedChromium;

  before(async () => {
    server = await startServerProcess([`--tokens-file=${writeTokensFile()}`, '--shell=/bin/bash']);
    chromium = await launchChromium();
  });
  after(async () => {
    await chromium?.close();
    await server?.stop('SIGTERM');
  });

  it('runs a login shell: typed commands run, resizes reach the pty, the exit code shows', async () => {
    const page = await chromium.context.newPage();
    await openTerminal(page, server.addresses.http);

    await typeLine(page, 'echo $((6*7))');
    await waitForScreen(page, /^42\s*$/m, '42');

    await typeLine(page, 'echo size-before:$(stty size)');
    const before = await waitForScreen(page, /size-before:(\d+) (\d+)/, 'the first stty size');
    await page.setViewportSize({ width: 640, height: 360 });
    const after = await (async () => {
      const deadline = Date.now() + 20_000;
      for (let attempt = 1; ; attempt++) {
        await typeLine(page, `echo size-after-${attempt}:$(stty size)`);
        const match = await waitForScreen(page, new RegExp(`size-after-${attempt}:(\\d+) (\\d+)`), 'stty size after resize');
        if (match[0] !== `size-after-${attempt}:${before[1]} ${before[2]}`) return match;
        if (Date.now() > deadline) assert.fail('stty size never changed after the viewport shrank');
        await page.waitForTimeout(200);
      }
    })();
    assert.ok(Number(after[1]) < Number(before[1]), `rows shrank: ${before[1]} -> ${after[1]}`);
    assert.ok(Number(after[2]) < Number(before[2]), `cols shrank: ${before[2]} -> ${after[2]}`);

    await typeLine(page, 'exit 3');
    await page.waitForSelector('body[data-state="exited"]', { timeout: 20_000 });
    assert.equal(await page.getAttribute('body', 'data-exit-code'), '3');
    assert.match(await page.locator('#status').textContent() ?? '', /exited with code 3/);
    await page.close();
  });

  it('asks again when the token is refused', async () => {
    const page = await chromium.context.newPage();
    await page.goto(`${server.addresses.http}/#token=not-the-right-token-at-all`);
    await page.waitForSelector('#login:not([hidden])', { timeout: 20_000 });
    assert.match((await page.locator('#status').textContent()) ?? '', /could not connect with this token/);
    await page.fill('#token', aliceToken);
    await page.click('#login button');
    await page.waitForSelector('body[data-state="running"]', { timeout: 20_000 });
    await typeLine(page, 'exit 0');
    await page.waitForSelector('body[data-state="exited"]', { timeout: 20_000 });
    await page.close();
  });

  it('asks for the token when the URL carries none', async () => {
    const page = await chromium.context.newPage();
    await page.goto(`${server.addresses.http}/`);
    await page.waitForSelector('#login:not([hidden])');
    await page.fill('#token', aliceToken);
    await page.click('#login button');
    await page.waitForSelector('body[data-state="running"]', { timeout: 20_000 });
    await typeLine(page, 'exit 0');
    await page.waitForSelector('body[data-state="exited"]', { timeout: 20_000 });
    assert.equal(await page.getAttribute('body', 'data-exit-code'), '0');
    await page.close();
  });

  it('a reload re-attaches to the same shell and its screen, without asking for the token again', async () => {
    const page = await chromium.context.newPage();
    await openTerminal(page, server.addresses.http);
    await typeLine(page, 'echo shell-pid-$$-here');
    const before = await waitForScreen(page, /^shell-pid-(\d+)-here\s*$/m, 'the shell pid');
    const address = new URL(page.url());
    assert.match(address.hash, /^#process=/, 'the process id is in the address');

    await page.reload();
    // Running again without the login form: the tab kept the token (the address has none).
    await page.waitForSelector('body[data-state="running"]', { timeout: 20_000 });
    assert.equal(await page.locator('#login').isHidden(), true);
    assert.ok(!page.url().includes(aliceToken));
    assert.equal(new URL(page.url()).hash, address.hash, 'the same process id');
    assert.match((await page.locator('#status').textContent()) ?? '', /re-attached/);
    // The screen it had is back, and the shell is the same one.
    await waitForScreen(page, new RegExp(`^shell-pid-${before[1]}-here\\s*$`, 'm'), 'the screen from before the reload');
    await typeLine(page, 'echo after-reload-$$-here');
    const after = await waitForScreen(page, /^after-reload-(\d+)-here\s*$/m, 'the shell pid after the reload');
    assert.equal(after[1], before[1], 'the same shell pid before and after the reload');

    await typeLine(page, 'exit 4');
    await page.waitForSelector('body[data-state="exited"]', { timeout: 20_000 });
    assert.equal(await page.getAttribute('body', 'data-exit-code'), '4');
    // Over: the address names no process, so the next reload starts a new shell.
    assert.equal(new URL(page.url()).hash, '');
    await page.close();
  });

  it('serves a favicon', async () => {
    const response = await fetch(`${server.addresses.http}/favicon.ico`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'image/x-icon');
    const bytes = new Uint8Array(await response.arrayBuffer());
    // An ICO file: reserved 0, type 1 (icon), one image.
    assert.deepEqual([...bytes.subarray(0, 6)], [0, 0, 1, 0, 1, 0]);
  });

  describe('behind a proxy that cuts the connection', () => {
    let proxy: FaultProxy;
    before(async () => {
      proxy = await startFaultProxy({ targetPort: Number(new URL(server.addresses.http).port) });
    });
    after(() => proxy?.close());

    it('shows "reconnecting" while the server cannot be reached, then goes on', async () => {
      const page = await chromium.context.newPage();
      await openTerminal(page, `http://${proxy.address}`);
      assert.equal(await page.getAttribute('body', 'data-connection'), 'connected');
      proxy.refuse(true);
      proxy.cutAll();
      try {
        await page.waitForSelector('body[data-connection="reconnecting"]', { timeout: 20_000 });
        assert.match((await page.locator('#status').textContent()) ?? '', /reconnecting/);
      } finally {
        proxy.refuse(false);
      }
      await page.waitForSelector('body[data-connection="connected"]', { timeout: 20_000 });
      await typeLine(page, 'echo back-$((40+2))');
      await waitForScreen(page, /^back-42\s*$/m, 'the shell to answer after the reconnect');
      await typeLine(page, 'exit 0');
      await page.waitForSelector('body[data-state="exited"]', { timeout: 20_000 });
      await page.close();
    });

    it('reconnects and loses no output', async () => {
      const page = await chromium.context.newPage();
      await openTerminal(page, `http://${proxy.address}`);
      // Prints 1,2,...,80, slowly, on one (wrapped) line, then a marker.
      await typeLine(page, 'for i in $(seq 1 80); do printf "%d," $i; sleep 0.05; done; echo END-$((40+2))');
      await waitForScreen(page, /\b5,/, 'output to begin');
      const acceptedBeforeCut = proxy.stats.accepted;
      assert.ok(proxy.cutAll() > 0, 'a connection was cut');
      await page.waitForTimeout(300);
      proxy.cutAll();
      const expected = `${Array.from({ length: 80 }, (_, index) => index + 1).join(',')},END-42`;
      const deadline = Date.now() + 30_000;
      for (;;) {
        const joined = (await screenText(page)).replace(/\n/g, '');
        if (joined.includes(expected)) break;
        if (Date.now() > deadline) assert.fail(`the output is not whole after the cut; the screen shows:\n${joined}`);
        await page.waitForTimeout(200);
      }
      assert.ok(proxy.stats.accepted > acceptedBeforeCut, 'the page connected again after the cut');
      await typeLine(page, 'exit 5');
      await page.waitForSelector('body[data-state="exited"]', { timeout: 20_000 });
      assert.equal(await page.getAttribute('body', 'data-exit-code'), '5');
      await page.close();
    });
  });
});
