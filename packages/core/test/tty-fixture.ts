// Run inside a real terminal (tmux) by tty-attach.test.ts: attaches nodeTerminal() to a fake
// process and writes the outcome to the file named by argv[2]. Not a test file itself.
import { renameSync, writeFileSync } from 'node:fs';
import { createClient, type MemoryProgram, memoryTransport } from '@procwire/core';
import { nodeTerminal } from '@procwire/core/node';

/** Shows its terminal size and each keystroke in hex; exits 5 on "q". */
const keys: MemoryProgram = async ({ stdout, stdin, size, onResize }) => {
  await stdout.write(`size ${size?.cols}x${size?.rows}\r\n`);
  onResize((next) => void stdout.write(`size ${next.cols}x${next.rows}\r\n`));
  for await (const chunk of stdin) {
    await stdout.write(`key:${Buffer.from(chunk).toString('hex')}\r\n`);
    if (chunk.includes(0x71)) return 5;
  }
  return 0;
};

const client = createClient(memoryTransport({ programs: { keys } }));
const p = await client.exec(['keys'], { pty: true });
const code = await p.attach({ terminal: nodeTerminal() });
// Written then renamed, so the test never reads a half-written file.
writeFileSync(`${process.argv[2]}.tmp`, JSON.stringify({ code, rawAfter: process.stdin.isRaw }));
renameSync(`${process.argv[2]}.tmp`, process.argv[2]!);
await client.close();
