// A real terminal for tests: a detached tmux session (Debian tmux) of a fixed size, driven by
// send-keys and read with capture-pane. Each session has its own server socket, so tests never
// touch a user's tmux.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A tmux session running one shell. */
export class TmuxSession {
  readonly dir: string;
  private readonly socket: string;

  private constructor(dir: string) {
    this.dir = dir;
    this.socket = join(dir, 'tmux.sock');
  }

  /** Start `bash` (no rc files, prompt `$ `) in a cols x rows pane. */
  static start(cols: number, rows: number, env: Readonly<Record<string, string>>): TmuxSession {
    const session = new TmuxSession(mkdtempSync(join(tmpdir(), 'procwire-tmux-')));
    const assignments = Object.entries({ PS1: '$ ', ...env }).map(([key, value]) => `${key}=${value}`);
    session.tmux('-f', '/dev/null', 'new-session', '-d', '-s', 'cli', '-x', String(cols), '-y', String(rows),
      'env', ...assignments, 'bash', '--norc', '--noprofile');
    return session;
  }

  tmux(...args: string[]): string {
    return execFileSync('tmux', ['-S', this.socket, ...args], { encoding: 'utf8', timeout: 10_000 });
  }

  /** Type a line and press Enter. */
  type(line: string): void {
    this.tmux('send-keys', '-t', 'cli', '-l', line);
    this.tmux('send-keys', '-t', 'cli', 'Enter');
  }

  /** The visible pane plus its scrollback, as text. */
  screen(): string {
    return this.tmux('capture-pane', '-p', '-J', '-S', '-200', '-t', 'cli');
  }

  /** The pid of the program running in the pane's shell (the CLI), if any. */
  panePid(): number {
    return Number(this.tmux('list-panes', '-t', 'cli', '-F', '#{pane_pid}').trim());
  }

  resize(cols: number, rows: number): void {
    this.tmux('resize-window', '-t', 'cli', '-x', String(cols), '-y', String(rows));
  }

  /** Poll the screen until `pattern` matches, or fail with the screen after `timeoutMs`. */
  async waitFor(pattern: RegExp, timeoutMs = 20_000, retype?: string): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    let lastTyped = 0;
    for (;;) {
      const screen = this.screen();
      const match = pattern.exec(screen);
      if (match) return match;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern} on the screen:\n${screen}`);
      if (retype !== undefined && Date.now() - lastTyped > 2000) {
        this.type(retype);
        lastTyped = Date.now();
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  close(): void {
    try {
      this.tmux('kill-server');
    } catch {
      // Already gone.
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
