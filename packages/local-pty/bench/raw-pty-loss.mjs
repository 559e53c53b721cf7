#!/usr/bin/env node
// Shows the node-pty exit race on raw node-pty 1.1.0 (not a test, not shipped): a fast writer in a
// raw terminal, counting the bytes that arrived by the time onExit fired.
//   node packages/local-pty/bench/raw-pty-loss.mjs [KiB] [runs]
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const pty = require('node-pty');
const size = Number(process.argv[2] ?? 512) * 1024;
const runs = Number(process.argv[3] ?? 50);
let lossy = 0;
let missing = 0;
for (let run = 0; run < runs; run++) {
  const received = await new Promise((resolve) => {
    const term = pty.spawn('sh', ['-c', `stty raw -echo && exec head -c ${size} /dev/zero`], {
      encoding: null,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    });
    let bytes = 0;
    term.onData((chunk) => {
      bytes += chunk.length;
    });
    term.onExit(() => resolve(bytes));
  });
  if (received !== size) {
    lossy++;
    missing += size - received;
  }
}
console.log(`raw node-pty, ${size / 1024} KiB writer: ${lossy} of ${runs} runs lost bytes at exit (${missing} bytes in all)`);
