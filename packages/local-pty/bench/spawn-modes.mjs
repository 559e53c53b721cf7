#!/usr/bin/env node
// How pipe-mode starts cost with the host's size (not a test, not shipped; after a build):
//   node packages/local-pty/bench/spawn-modes.mjs [samples]
// For a host holding 0, 250 and 1000 MiB of ballast, `exec(['true'])` + `wait()` through
// createClient(localTransport(...)) with posix_spawn (the default), a fork through child_process,
// and the spawn helper, alternating; prints p50 (p90) in ms.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const samples = Number(process.argv[2] ?? 300);
const modes = {
  posix_spawn: '{}',
  child_process: '{ vforkSpawn: false }',
  'spawn helper': '{ spawnHelper: true, vforkSpawn: false }',
};
const probe = (ballastMiB, options) => `
import { createClient } from '@procwire/core';
import { localTransport } from '@procwire/local-pty';
const ballast = [];
for (let i = 0; i < ${ballastMiB}; i++) ballast.push(Buffer.alloc(1024 * 1024, 1));
const client = createClient(localTransport(${options}));
const times = [];
for (let i = 0; i < ${samples} + 10; i++) {
  const start = performance.now();
  await (await client.exec(['true'])).wait();
  if (i >= 10) times.push(performance.now() - start);
}
times.sort((a, b) => a - b);
const rss = Math.round(process.memoryUsage().rss / 1048576);
console.log(JSON.stringify({ rss, p50: times[times.length >> 1], p90: times[Math.floor(times.length * 0.9)] }));
await client.close();
`;
const cwd = fileURLToPath(new URL('..', import.meta.url));
console.log('| host RSS | ' + Object.keys(modes).join(' | ') + ' |');
console.log('| --- |' + ' --- |'.repeat(Object.keys(modes).length));
for (const ballast of [0, 250, 1000]) {
  const cells = [];
  let rss = 0;
  for (const options of Object.values(modes)) {
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', probe(ballast, options)], { cwd, encoding: 'utf8' });
    const result = JSON.parse(out.trim().split('\n').at(-1));
    rss = Math.max(rss, result.rss);
    cells.push(`${result.p50.toFixed(1)} (${result.p90.toFixed(1)}) ms`);
  }
  console.log(`| ${rss} MiB | ${cells.join(' | ')} |`);
}
