import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const hasTmux = spawnSync('tmux', ['-V']).status === 0;
const fixture = fileURLToPath(new URL('./tty-fixture.js', import.meta.url));

/** tty-fixture.js (`mode`: pty or pipe) in a 100x30 tmux pane; `body` drives it, then it is torn down. */
async function inTerminal(
  mode: 'pty' | 'pipe',
  body: (pane: {
    tmux: (...args: string[]) => ReturnType<typeof spawnSync>;
    screen: () => string;
    shows: (text: string) => Promise<void>;
    outcome: () => Promise<unknown>;
  }) => Promise<void>,
): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'procwire-tty-'));
  const socket = `procwire-core-${process.pid}-${mode}`;
  const result = join(dir, 'result.json');
  // The pane stays after its program exits (remain-on-exit), so its last screen can be read.
  const config = join(dir, 'tmux.conf');
  writeFileSync(config, 'set-option -g remain-on-exit on\n');
  const tmux = (...args: string[]) => spawnSync('tmux', ['-L', socket, '-f', config, ...args], { encoding: 'utf8' });
  // With the scrollback: a resize of the new pane may push its first lines out of view.
  const screen = () => String(tmux('capture-pane', '-p', '-S', '-100', '-t', 'attach').stdout ?? '');
  const until = async (done: () => boolean, what: string) => {
    const deadline = Date.now() + 15_000;
    while (!done()) {
      if (Date.now() > deadline) throw new Error(`${what}:\n${screen()}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const shows = (text: string) => until(() => screen().includes(text), `the terminal never showed ${JSON.stringify(text)}`);
  const outcome = async () => {
    await until(() => existsSync(result), 'attach() did not end');
    return JSON.parse(readFileSync(result, 'utf8'));
  };
  try {
    const started = tmux('new-session', '-d', '-s', 'attach', '-x', '100', '-y', '30', `${process.execPath} ${fixture} ${result} ${mode}`);
    assert.equal(started.status, 0, String(started.stderr));
    await body({ tmux, screen, shows, outcome });
    // Nothing is left holding stdin: the program exits.
    const dead = () => String(tmux('display-message', '-p', '-t', 'attach', '#{pane_dead}').stdout).trim() === '1';
    await until(dead, 'the attached program did not exit after attach() ended');
  } finally {
    tmux('kill-server');
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('nodeTerminal in a real terminal (tmux)', { skip: hasTmux ? false : 'tmux is not installed' }, () => {
  it('attach() runs raw, passes a pty\'s output as it is, follows resizes, and restores the terminal', async () => {
    await inTerminal('pty', async ({ tmux, screen, shows, outcome }) => {
      await shows('size 100x30');
      // The process's own terminal decides its newlines: a bare line feed moves down, not back to
      // column 0, as over ssh (Node's raw mode alone would still add a carriage return).
      assert.match(screen(), /^lf-top\n {6}lf-next$/m);
      // In raw mode a key arrives alone, without Enter.
      tmux('send-keys', '-t', 'attach', '-l', 'a');
      await shows('key:61');
      tmux('resize-window', '-t', 'attach', '-x', '120', '-y', '40');
      await shows('size 120x40');
      tmux('send-keys', '-t', 'attach', '-l', 'q');
      // Every setting is back as it was before attach(), newline translation included.
      assert.deepEqual(await outcome(), { code: 5, rawAfter: false, restored: true });
    });
  });

  it('attach() keeps newline translation for a process without a terminal', async () => {
    await inTerminal('pipe', async ({ screen, shows, outcome }) => {
      assert.deepEqual(await outcome(), { code: 0, rawAfter: false, restored: true });
      await shows('pipe-next');
      // Nothing turned its "\n" into "\r\n" yet: this terminal does, so the lines do not step right.
      assert.match(screen(), /^pipe-top\npipe-next$/m);
    });
  });
});
