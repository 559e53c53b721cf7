/**
 * `maxPendingInputBytes`: stdin writes a process has not taken are bounded, writes waiting their
 * turn included. Unawaited writes to a process that never reads used to be kept whole (a server
 * grew from 66 to 602 MiB for one connection). The attack runs in a host process of its own, so
 * its memory can be measured after a real garbage collection.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { localTransport } from '@procwire/local-pty';
import { nextId, pipeRequest, pipeSpawnModes } from './helpers.js';

const MiB = 1024 * 1024;
const packageDir = fileURLToPath(new URL('..', import.meta.url));

/** The host process: 200 unawaited 1 MiB writes to `sleep 30`, while another process echoes. */
const attack = (mode: 'pipe' | 'pty', spawn: string) => `
import { localTransport } from '@procwire/local-pty';
const MiB = 1024 * 1024;
const mb = () => { globalThis.gc(); globalThis.gc(); return Math.round(process.memoryUsage().rss / MiB); };
const pty = ${mode === 'pty'} ? { pty: { cols: 80, rows: 24, term: 'xterm' } } : {};
const host = localTransport(${spawn});
await host.start({ processId: 'sleeper', argv: ['sleep', '30'], stdout: 'pipe', stderr: 'pipe', ...pty });
await host.start({ processId: 'echo', argv: ['head', '-c', '65536'], stdout: 'pipe', stderr: 'pipe' });
const before = mb();
const writes = [];
for (let i = 0; i < 200; i++) {
  const write = host.writeInput({ processId: 'sleeper', offset: i * MiB, data: Buffer.alloc(MiB, 97), eof: false });
  write.catch(() => {}); // looked at below, once all settled
  writes.push(write);
}
// Meanwhile another process's writer, awaiting each write, is served.
const piece = Buffer.alloc(4096, 98);
for (let offset = 0; offset < 65536; offset += piece.length) {
  await host.writeInput({ processId: 'echo', offset, data: piece, eof: false });
}
let echoed = 0;
for await (const chunk of host.readOutput({ processId: 'echo', fd: 1, offset: 0 })) echoed += chunk.data.byteLength;
await new Promise((resolve) => setTimeout(resolve, 200));
const during = mb();
const held = (await host.get({ processId: 'sleeper' })).stdin.offset;
await host.signal({ processId: 'sleeper', signal: 'SIGKILL' });
await host.wait({ processId: 'sleeper' });
const settled = await Promise.allSettled(writes);
const after = mb();
const rejected = settled.filter((result) => result.status === 'rejected').map((result) => result.reason);
await host.close();
console.log(JSON.stringify({
  before, during, after, held, echoed,
  accepted: settled.length - rejected.length,
  codes: [...new Set(rejected.map((error) => error.code))],
  message: rejected[0]?.message,
}));
`;

for (const [mode, how, spawn] of [
  ...pipeSpawnModes.map(({ name, options }) => ['pipe', ` through ${name}`, JSON.stringify(options)] as const),
  ['pty', '', '{}'] as const,
]) {
  describe(`stdin bound: ${mode}${how}`, () => {
    test('200 unawaited 1 MiB writes to a process that never reads: the rest is refused, memory stays bounded', () => {
      const output = execFileSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', attack(mode, spawn)], {
        cwd: packageDir,
        encoding: 'utf8',
        timeout: 60_000,
      });
      const result = JSON.parse(output.trim().split('\n').at(-1) as string);
      assert.deepEqual(result.codes, ['resource_exhausted']);
      assert.match(result.message, /maxPendingInputBytes \(1048576\)/);
      // The first write always goes on, then at most 1 MiB waits: two of 200 accepted.
      assert.ok(result.accepted <= 2, `${result.accepted} writes accepted`);
      assert.ok(result.held <= 2 * MiB, `the host accepted ${result.held} bytes`);
      assert.equal(result.echoed, 65536, "the other process's input went through whole");
      assert.ok(result.during - result.before < 48, `RSS grew from ${result.before} to ${result.during} MiB`);
      assert.ok(result.after - result.before < 32, `RSS after the process ended: ${result.after} MiB (from ${result.before})`);
    });
  });
}

describe('stdin bound: awaited writes', () => {
  test('one awaited write at a time is backpressure, never refused, whatever the total', async () => {
    const transport = localTransport({ maxPendingInputBytes: 64 * 1024 });
    try {
      for (const request of [pipeRequest(nextId('wc'), ['wc', '-c'])]) {
        await transport.start(request);
        const data = Buffer.alloc(256 * 1024, 120);
        for (let offset = 0; offset < 4 * 256 * 1024; offset += data.length) {
          await transport.writeInput({ processId: request.processId, offset, data, eof: false });
        }
        await transport.writeInput({ processId: request.processId, offset: MiB, data: new Uint8Array(0), eof: true });
        await transport.wait({ processId: request.processId });
        const parts: Uint8Array[] = [];
        for await (const chunk of transport.readOutput({ processId: request.processId, fd: 1, offset: 0 })) parts.push(chunk.data);
        assert.match(Buffer.concat(parts).toString(), /1048576/);
      }
    } finally {
      await transport.close();
    }
  });

  test('a write past the bound waits its turn (one at most, abortable); every byte arrives once', async () => {
    const KiB = 1024;
    const transport = localTransport({ maxPendingInputBytes: 64 * KiB });
    try {
      const processId = nextId('slow');
      // Reads nothing for a while, then counts what it got.
      await transport.start(pipeRequest(processId, ['sh', '-c', 'sleep 0.5; wc -c']));
      const write = (offset: number, bytes: number, signal?: AbortSignal) =>
        transport.writeInput({ processId, offset, data: Buffer.alloc(bytes, 120), eof: false }, signal === undefined ? undefined : { signal });
      const first = write(0, MiB);
      // Over the bound: waits. Aborted while waiting, it is not applied.
      const abort = new AbortController();
      const abandoned = write(MiB, 64 * KiB, abort.signal);
      abort.abort();
      await assert.rejects(abandoned, { code: 'aborted' });
      assert.equal((await transport.get({ processId })).stdin.offset, MiB, 'the aborted write was not applied');
      const second = write(MiB, 64 * KiB);
      // One write waits already: a third is refused, not kept.
      await assert.rejects(write(MiB + 64 * KiB, 64 * KiB), { code: 'resource_exhausted', message: /65536 more would pass maxPendingInputBytes \(65536\)/ });
      await first;
      assert.equal((await second).offset, MiB + 64 * KiB);
      await transport.writeInput({ processId, offset: MiB + 64 * KiB, data: Buffer.alloc(64 * KiB, 120), eof: true });
      await transport.wait({ processId });
      const parts: Uint8Array[] = [];
      for await (const chunk of transport.readOutput({ processId, fd: 1, offset: 0 })) parts.push(chunk.data);
      assert.equal(Buffer.concat(parts).toString().trim(), String(MiB + 128 * KiB));
    } finally {
      await transport.close();
    }
  });

  test('the option is checked', () => {
    assert.throws(() => localTransport({ maxPendingInputBytes: 0 }), { code: 'invalid_argument', message: /maxPendingInputBytes/ });
  });
});
