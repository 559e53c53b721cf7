#!/usr/bin/env node
// A quick local benchmark (not a test, not shipped): localTransport() against the raw baseline.
//   node packages/local-pty/bench/throughput.mjs [MiB] [--spawn-helper]     (after building the package)
// Prints stdout throughput in pipe mode vs raw child_process, pty throughput vs raw node-pty
// (with the bytes each one lost), and the exec(['true']) + wait() round trip vs raw spawn + exit.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { localTransport } from '../dist/index.js';

const require = createRequire(import.meta.url);
const pty = require('node-pty');
const args = process.argv.slice(2);
// --spawn-helper: pipe-mode processes through localTransport({ spawnHelper: true }).
const spawnHelper = args.includes('--spawn-helper');
const mib = Number(args.find((arg) => !arg.startsWith('--')) ?? 256);
const size = mib * 1024 * 1024;
const env = { PATH: process.env.PATH ?? '/usr/bin:/bin' };
const ptyWriter = ['sh', '-c', `stty raw -echo && exec head -c ${size} /dev/zero`];

function rawPipe() {
  return new Promise((resolve) => {
    const child = spawn('head', ['-c', String(size), '/dev/zero'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let bytes = 0;
    child.stdout.on('data', (chunk) => {
      bytes += chunk.length;
    });
    child.on('close', () => resolve(bytes));
  });
}

function rawPty() {
  return new Promise((resolve) => {
    const term = pty.spawn(ptyWriter[0], ptyWriter.slice(1), { encoding: null, env });
    let bytes = 0;
    term.onData((chunk) => {
      bytes += chunk.length;
    });
    term.onExit(() => resolve(bytes));
  });
}

async function viaTransport(transport, request) {
  await transport.start(request);
  let bytes = 0;
  let acked = 0;
  for await (const chunk of transport.readOutput({ processId: request.processId, fd: 1, offset: 0 })) {
    bytes += chunk.data.byteLength;
    if (bytes - acked >= 1024 * 1024) {
      acked = bytes;
      await transport.ackOutput({ processId: request.processId, fd: 1, offset: acked });
    }
  }
  await transport.wait({ processId: request.processId });
  return bytes;
}

// Wall time, and this process's own CPU time (steadier than wall time on a loaded machine).
async function timed(run) {
  const start = performance.now();
  const cpu = process.cpuUsage();
  const bytes = await run();
  const used = process.cpuUsage(cpu);
  return { bytes, ms: performance.now() - start, cpuMs: (used.user + used.system) / 1000 };
}

const rate = ({ bytes, ms, cpuMs }) =>
  `${((bytes / 1024 / 1024) / (ms / 1000)).toFixed(0)} MiB/s, ${cpuMs.toFixed(0)} ms CPU`;
const transport = localTransport({ spawnHelper });
let id = 0;
const request = (argv, extra = {}) => ({ processId: `bench-${++id}`, argv, stdout: 'pipe', stderr: 'devnull', ...extra });

if (spawnHelper) {
  // The helper is forked at the first pipe start: not part of any figure below.
  const warmUp = request(['true']);
  await transport.start(warmUp);
  await transport.wait({ processId: warmUp.processId });
}

const rawPipeRun = await timed(rawPipe);
const pipeRun = await timed(() => viaTransport(transport, request(['head', '-c', String(size), '/dev/zero'])));
console.log(`pipe ${mib} MiB: raw child_process ${rate(rawPipeRun)}, localTransport ${rate(pipeRun)} (${(rawPipeRun.ms / pipeRun.ms).toFixed(2)}x)`);

const rawPtyRun = await timed(rawPty);
const ptyRun = await timed(() =>
  viaTransport(transport, request(ptyWriter, { pty: { cols: 80, rows: 24, term: 'xterm' } })),
);
console.log(
  `pty ${mib} MiB: raw node-pty ${rate(rawPtyRun)} (lost ${size - rawPtyRun.bytes} bytes), ` +
    `localTransport ${rate(ptyRun)} (lost ${size - ptyRun.bytes} bytes) (${(rawPtyRun.ms / ptyRun.ms).toFixed(2)}x)`,
);

const rounds = 200;
let start = performance.now();
for (let i = 0; i < rounds; i++) {
  await new Promise((resolve) => spawn('true', [], { stdio: 'ignore' }).on('exit', resolve));
}
const rawTrue = (performance.now() - start) / rounds;
start = performance.now();
for (let i = 0; i < rounds; i++) {
  const r = request(['true']);
  await transport.start(r);
  await transport.wait({ processId: r.processId });
}
const ourTrue = (performance.now() - start) / rounds;
console.log(`true round trip: raw spawn ${rawTrue.toFixed(2)} ms, localTransport ${ourTrue.toFixed(2)} ms (${(ourTrue / rawTrue).toFixed(2)}x)`);
await transport.close();
