/** Many concurrent processes over one client, and a slow consumer of a fast producer. */
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BenchContext, ProcwireTarget } from '../context.js';
import { readMemoryAfterGc, type MemoryReading } from '../memory.js';
import type { Metrics, RowSink } from '../row.js';
import { elapsedMs } from '../stats.js';

const mib = 1024 * 1024;

function perProcessKiB(before: MemoryReading, during: MemoryReading, count: number): Metrics {
  return {
    'host rss KiB/process': (during.rss - before.rss) / 1024 / count,
    'host heap KiB/process': (during.heapUsed - before.heapUsed) / 1024 / count,
  };
}

/** `count` raw `cat`s: spawn all, then write each a unique line, read it back, wait for the exits. */
async function rawConcurrent(count: number): Promise<Metrics> {
  const before = readMemoryAfterGc();
  const start = process.hrtime.bigint();
  const children = Array.from({ length: count }, () => spawn('cat', [], { stdio: ['pipe', 'pipe', 'ignore'] }));
  await Promise.all(children.map((child) => new Promise((resolve) => child.once('spawn', resolve))));
  const during = readMemoryAfterGc();
  let correct = 0;
  await Promise.all(
    children.map(async (child, index) => {
      const parts: Buffer[] = [];
      child.stdout.on('data', (data: Buffer) => parts.push(data));
      const closed = new Promise<number | null>((resolve) => child.once('close', resolve));
      child.stdin.end(`process-${index}\n`);
      const code = await closed;
      if (code === 0 && Buffer.concat(parts).toString() === `process-${index}\n`) correct++;
    }),
  );
  return { 'wall ms': elapsedMs(start), correct, ...perProcessKiB(before, during, count) };
}

/** The same through procwire: `count` `exec(['cat'])` at once on one client. */
async function procwireConcurrent(target: ProcwireTarget, count: number): Promise<Metrics> {
  const before = await target.hostMemory();
  const start = process.hrtime.bigint();
  const processes = await Promise.all(Array.from({ length: count }, () => target.client.exec(['cat'])));
  const during = await target.hostMemory();
  let correct = 0;
  await Promise.all(
    processes.map(async (process, index) => {
      process.stdin.write(`process-${index}\n`);
      process.stdin.writeEof();
      const [output, code] = await Promise.all([process.stdout.read(), process.wait()]);
      if (code === 0 && output === `process-${index}\n`) correct++;
    }),
  );
  return { 'wall ms': elapsedMs(start), correct, ...perProcessKiB(before, during, count) };
}

/** `concurrency` processes at once over one client; every output checked. */
export async function concurrent(context: BenchContext, sink: RowSink): Promise<void> {
  const { transports, concurrency, runs } = context.options;
  const scenario = 'concurrent';
  if (transports.has('local-pipe')) {
    sink.measure({ scenario, subject: 'raw child_process', role: 'baseline', transport: 'local-pipe' }, runs, () =>
      rawConcurrent(concurrency),
    );
  }
  for (const transport of ['local-pipe', ...context.remoteTransports()] as const) {
    if (!transports.has(transport)) continue;
    const target = context.target(transport);
    if (typeof target === 'string') {
      sink.skip({ scenario, subject: `procwire ${transport}`, role: 'procwire', transport }, target);
      continue;
    }
    sink.measure({ scenario, subject: target.subject, role: 'procwire', transport }, runs, async (_run, notes) => {
      if (target.inProcess) notes.push('host memory is the bench process itself (client and host together)');
      else notes.push('host memory is the server child process');
      const metrics = await procwireConcurrent(target, concurrency);
      if (metrics['correct'] !== concurrency) notes.push(`only ${metrics['correct']} of ${concurrency} outputs were correct`);
      return metrics;
    });
  }
}

/**
 * A reader that takes 1 MB/s from `head -c 1GiB /dev/zero` for `slowSeconds`: the host must pause the
 * producer (bytes produced stay within read + window) and its memory must stay within the window plus
 * a small constant.
 */
async function slowConsumerOnce(target: ProcwireTarget, seconds: number): Promise<Metrics> {
  const rate = 1_000_000;
  const before = await target.hostMemory();
  const process = await target.client.exec(['head', '-c', String(1024 * mib), '/dev/zero'], { text: false, stderr: 'devnull' });
  let read = 0;
  let maxRss = before.rss;
  let maxHeap = before.heapUsed;
  let maxAhead = 0;
  let produced = 0;
  let window = 0;
  const start = Date.now();
  let nextSample = start + 1000;
  for await (const chunk of process.stdout) {
    read += chunk.byteLength;
    const due = start + (read / rate) * 1000;
    if (due > Date.now()) await sleep(due - Date.now());
    if (Date.now() >= nextSample) {
      nextSample += 1000;
      const [memory, info] = await Promise.all([target.hostMemory(), process.info()]);
      maxRss = Math.max(maxRss, memory.rss);
      maxHeap = Math.max(maxHeap, memory.heapUsed);
      produced = info.stdout.written;
      window = info.outputWindowBytes;
      maxAhead = Math.max(maxAhead, info.stdout.written - read);
    }
    if (Date.now() - start >= seconds * 1000) break;
  }
  await process.kill('SIGKILL');
  await process.wait().catch(() => {});
  return {
    'read MiB': read / mib,
    'produced MiB': produced / mib,
    'window MiB': window / mib,
    'max ahead of reader MiB': maxAhead / mib,
    'host rss growth MiB': (maxRss - before.rss) / mib,
    'host heap growth MiB': (maxHeap - before.heapUsed) / mib,
  };
}

/** The slow-consumer scenario for every selected procwire transport. */
export async function slowConsumer(context: BenchContext, sink: RowSink): Promise<void> {
  const { transports, slowSeconds } = context.options;
  const scenario = 'slow-consumer';
  for (const transport of ['local-pipe', ...context.remoteTransports()] as const) {
    if (!transports.has(transport)) continue;
    const target = context.target(transport);
    if (typeof target === 'string') {
      sink.skip({ scenario, subject: `procwire ${transport}`, role: 'procwire', transport }, target);
      continue;
    }
    sink.measure({ scenario, subject: target.subject, role: 'procwire', transport }, 1, (_run, notes) => {
      notes.push(`1 MB/s reader for ${slowSeconds} s of a 1 GiB producer`);
      return slowConsumerOnce(target, slowSeconds);
    });
  }
}
