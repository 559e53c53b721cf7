import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode, isProcwireError } from '@procwire/core';
import { FakeTerminal } from './fake-terminal.js';
import { withClient } from './harness.js';

describe('attach()', () => {
  it('connects keys, output and resizes, restores the terminal and resolves with the exit code', async () => {
    await withClient(async ({ client }) => {
      const terminal = new FakeTerminal({ cols: 100, rows: 30 });
      const p = await client.exec(['tty'], { pty: true });
      const attached = p.attach({ terminal });
      await terminal.shows('size 100x30\n');
      assert.equal(terminal.isRaw, true);
      terminal.resizeTo({ cols: 120, rows: 40 });
      await terminal.shows('size 120x40\n');
      terminal.type('hello');
      await terminal.shows('hello');
      terminal.endInput();
      assert.equal(await attached, 7);
      assert.ok(terminal.screen.startsWith('size 80x24\n'), 'the pty started at the default 80x24');
      assert.deepEqual(terminal.rawModes, [true, false]);
      assert.equal(terminal.listeners.size, 0, 'the resize listener was removed');
      assert.equal(terminal.closed, true);
    });
  });

  it('shows stderr too when there is no pty, and ignores resizes the process cannot take', async () => {
    await withClient(async ({ client }) => {
      const terminal = new FakeTerminal({ cols: 90, rows: 20 });
      const p = await client.exec(['chunks', 'out ', 'err:err']);
      assert.equal(await p.attach({ terminal }), 0);
      assert.equal([...terminal.screen].sort().join(''), [...'out err'].sort().join(''));
      assert.deepEqual(terminal.rawModes, [true, false]);
    });
  });

  it('rejects with aborted when its signal fires, restores the terminal, and leaves the process running', async () => {
    await withClient(async ({ client }) => {
      const terminal = new FakeTerminal();
      const p = await client.exec(['sleep']);
      const controller = new AbortController();
      const attached = p.attach({ terminal, signal: controller.signal });
      await terminal.shows('ready\n');
      controller.abort();
      await assert.rejects(attached, (error) => isProcwireError(error, ErrorCode.Aborted));
      assert.deepEqual(terminal.rawModes, [true, false]);
      assert.equal(terminal.closed, true);
      assert.equal(await p.poll(), null, 'the process keeps running');
    });
  });

  it('rejects with the timeout error when the process times out, and restores the terminal', async () => {
    await withClient(async ({ client }) => {
      const terminal = new FakeTerminal();
      const p = await client.exec(['sleep'], { timeoutMs: 30 });
      await assert.rejects(p.attach({ terminal }), (error) => isProcwireError(error, ErrorCode.Timeout) && error.exitCode === 143);
      assert.deepEqual(terminal.rawModes, [true, false]);
    });
  });

  it('fails before touching the terminal when the output already has a consumer', async () => {
    await withClient(async ({ client }) => {
      const terminal = new FakeTerminal();
      const p = await client.exec(['echo', 'x']);
      await p.stdout.read();
      await assert.rejects(p.attach({ terminal }), (error) => isProcwireError(error, ErrorCode.StreamConsumed));
      assert.deepEqual(terminal.rawModes, []);
    });
  });
});
