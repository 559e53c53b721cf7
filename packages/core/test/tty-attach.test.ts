import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const hasTmux = spawnSync('tmux', ['-V']).status === 0;
const fixture = fileURLToPath(new URL('./tty-fixture.js', import.meta.url));

describe('nodeTerminal in a real terminal (tmux)', { skip: hasTmux ? false : 'tmux is not installed' }, () => {
  it('attach() runs raw, follows resizes, and restores the terminal when the process exits', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'procwire-tty-'));
    const socket = `procwire-core-${process.pid}`;
    const result = join(dir, 'result.json');
    const tmux = (...args: string[]) => spawnSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
    const screen = () => tmux('capture-pane', '-p', '-t', 'attach').stdout ?? '';
    const shows = async (text: string) => {
      const deadline = Date.now() + 15_000;
      while (!screen().includes(text)) {
        if (Date.now() > deadline) throw new Error(`the terminal never showed ${JSON.stringify(text)}:\n${screen()}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    try {
      const started = tmux('new-session', '-d', '-s', 'attach', '-x', '100', '-y', '30', `${process.execPath} ${fixture} ${result}`);
      assert.equal(started.status, 0, started.stderr);
      await shows('size 100x30');
      // In raw mode a key arrives alone, without Enter.
      tmux('send-keys', '-t', 'attach', '-l', 'a');
      await shows('key:61');
      tmux('resize-window', '-t', 'attach', '-x', '120', '-y', '40');
      await shows('size 120x40');
      tmux('send-keys', '-t', 'attach', '-l', 'q');
      const deadline = Date.now() + 15_000;
      while (!existsSync(result)) {
        if (Date.now() > deadline) throw new Error(`attach() did not end:\n${screen()}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.deepEqual(JSON.parse(readFileSync(result, 'utf8')), { code: 5, rawAfter: false });
      // Nothing is left holding stdin: the program exits, and tmux closes its session.
      while (tmux('has-session', '-t', 'attach').status === 0) {
        if (Date.now() > deadline) throw new Error('the attached program did not exit after attach() ended');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    } finally {
      tmux('kill-server');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
