// Run inside a real terminal (tmux) by tty-attach.test.ts: attaches nodeTerminal() to a fake
// process and writes the outcome to the file named by argv[2]. argv[3]: `pty` (default), the
// process has a terminal; `pipe`, it has none. Not a test file itself.
import { execFileSync } from 'node:child_process';
import { renameSync, writeFileSync } from 'node:fs';
import { createClient, type MemoryProgram, memoryTransport } from '@procwire/core';
import { nodeTerminal } from '@procwire/core/node';

/**
 * Shows a bare line feed (as a remote program that turned off its terminal's newline translation
 * writes it: down one line, same column), its terminal size and each keystroke in hex; exits 5 on "q".
 */
const keys: MemoryProgram = async ({ stdout, stdin, size, onResize }) => {
  await stdout.write('lf-top\nlf-next\r\n');
  await stdout.write(`size ${size?.cols}x${size?.rows}\r\n`);
  onResize((next) => void stdout.write(`size ${next.cols}x${next.rows}\r\n`));
  for await (const chunk of stdin) {
    await stdout.write(`key:${Buffer.from(chunk).toString('hex')}\r\n`);
    if (chunk.includes(0x71)) return 5;
  }
  return 0;
};

/** Plain lines, as a process without a terminal writes them. */
const lines: MemoryProgram = async ({ stdout }) => {
  await stdout.write('pipe-top\npipe-next\n');
  return 0;
};

/** The terminal's settings, as `stty -g` prints them. */
const settings = () => execFileSync('stty', ['-g'], { stdio: ['inherit', 'pipe', 'ignore'], encoding: 'utf8' });

const pty = process.argv[3] !== 'pipe';
const before = settings();
const client = createClient(memoryTransport({ programs: { keys, lines } }));
const p = await client.exec([pty ? 'keys' : 'lines'], { pty });
const code = await p.attach({ terminal: nodeTerminal() });
const restored = settings() === before;
// Written then renamed, so the test never reads a half-written file.
writeFileSync(`${process.argv[2]}.tmp`, JSON.stringify({ code, rawAfter: process.stdin.isRaw, restored }));
renameSync(`${process.argv[2]}.tmp`, process.argv[2]!);
await client.close();
