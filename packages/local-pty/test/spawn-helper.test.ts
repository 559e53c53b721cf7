/**
 * `spawnHelper: true`: pipe-mode processes spawned by a helper process that hands their pipes over.
 * What the in-process pipe mode guarantees must hold; the conformance suite runs with it too.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Transport } from '@procwire/core/transport';
import { localTransport } from '@procwire/local-pty';
import { eventually, groupAlive, nextId, pipeRequest, procStats, readAll, readText, run, stillPending } from './helpers.js';

const MiB = 1024 * 1024;
const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

/** The pids of this process's spawn helpers (children running spawn-helper-main.js), not zombies. */
async function helperPids(): Promise<number[]> {
  const pids: number[] = [];
  for (const stat of await procStats()) {
    if (stat.ppid !== process.pid || stat.state === 'Z') continue;
    const cmdline = await readFile(`/proc/${stat.pid}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes('spawn-helper-main')) pids.push(stat.pid);
  }
  return pids;
}

describe('spawn helper: every byte', () => {
  let dir: string;
  let file: string;
  let expected: string;
  let transport: Transport;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'procwire-helper-'));
    file = join(dir, 'payload');
    const payload = randomBytes(MiB);
    writeFileSync(file, payload);
    expected = sha256(payload);
    transport = localTransport({ spawnHelper: true, vforkSpawn: false });
  });
  after(async () => {
    await transport.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('200 fast writers of 1 MiB each, 25 at a time: every byte of every one', async () => {
    const failures: string[] = [];
    for (let batch = 0; batch < 8; batch++) {
      await Promise.all(
        Array.from({ length: 25 }, async (_, index) => {
          const processId = nextId('writer');
          await transport.start(pipeRequest(processId, ['head', '-c', String(MiB), file]));
          const status = await transport.wait({ processId });
          const output = await readAll(transport, processId, 1);
          if (status.code !== 0 || output.byteLength !== MiB || sha256(output) !== expected) {
            failures.push(`batch ${batch} #${index}: exit ${status.code}, ${output.byteLength} of ${MiB} bytes`);
          }
        }),
      );
    }
    assert.deepEqual(failures, []);
  });

  test('a process killed while its output window is full still reports its exit, unread', { timeout: 30_000 }, async () => {
    const small = localTransport({ spawnHelper: true, vforkSpawn: false, outputWindowBytes: 64 * 1024 });
    try {
      const processId = nextId();
      await small.start(pipeRequest(processId, ['head', '-c', String(1024 * MiB), '/dev/zero']));
      assert.ok(await eventually(async () => (await small.get({ processId })).stdout.written >= 64 * 1024));
      await small.signal({ processId, signal: 'SIGKILL' });
      assert.deepEqual(await small.wait({ processId }), { code: 137, signal: 'SIGKILL' });
      const info = await small.get({ processId });
      assert.equal(info.stdout.eof, true);
      assert.equal(info.stdout.acknowledged, 0, 'nothing was read');
    } finally {
      await small.close();
    }
  });

  test('stdin, stdout and stderr each reach the right place', async () => {
    const processId = nextId();
    await transport.start(pipeRequest(processId, ['sh', '-c', 'read line; echo "out:$line"; echo "err:$line" >&2']));
    await transport.writeInput({ processId, offset: 0, data: new TextEncoder().encode('hello\n'), eof: true });
    assert.deepEqual(await transport.wait({ processId }), { code: 0 });
    assert.equal(await readText(transport, processId, 1), 'out:hello\n');
    assert.equal(await readText(transport, processId, 2), 'err:hello\n');
  });

  test('stdio are pipes: /dev/stdout and /dev/stderr can be written, as under a shell', async () => {
    const processId = nextId();
    const script = 'readlink /proc/$$/fd/0 /proc/$$/fd/1 | sed "s/[0-9]//g"; echo out > /dev/stdout; echo err > /dev/stderr';
    await transport.start(pipeRequest(processId, ['sh', '-c', script]));
    assert.deepEqual(await transport.wait({ processId }), { code: 0 });
    assert.equal(await readText(transport, processId, 1), 'pipe:[]\npipe:[]\nout\n');
    assert.equal(await readText(transport, processId, 2), 'err\n');
  });

  // A start answers once the helper says the process runs; its pipes follow one IPC message each.
  // What is asked before they are here must be applied, in order, when they arrive.
  test('writes and EOF sent right after start, before the pipes arrived, all reach the process in order', async () => {
    const runs = await Promise.all(
      Array.from({ length: 20 }, async (_, index) => {
        const processId = nextId('early');
        await transport.start(pipeRequest(processId, ['sh', '-c', 'cat; echo "err:$0" >&2', `run${index}`]));
        const parts = ['one ', 'two ', `three ${index}`];
        let offset = 0;
        const writes = parts.map((part, i) => {
          const data = new TextEncoder().encode(part);
          const write = transport.writeInput({ processId, offset, data, eof: i === parts.length - 1 });
          offset += data.byteLength;
          return write;
        });
        await Promise.all(writes);
        return { processId, index, status: await transport.wait({ processId }) };
      }),
    );
    for (const { processId, index, status } of runs) {
      assert.deepEqual(status, { code: 0 });
      assert.equal(await readText(transport, processId, 1), `one two three ${index}`);
      assert.equal(await readText(transport, processId, 2), `err:run${index}\n`);
    }
  });

  test('a full output window stops the writer; acknowledged reading then gets every byte', async () => {
    const small = localTransport({ spawnHelper: true, vforkSpawn: false, outputWindowBytes: 64 * 1024 });
    try {
      const processId = nextId();
      await small.start(pipeRequest(processId, ['cat', file, file, file, file]));
      // Without a reader the process blocks: it does not exit, and the host holds about one window.
      assert.equal(await stillPending(small.wait({ processId }), 500), 'pending');
      const held = (await small.get({ processId })).stdout.written;
      assert.ok(held <= 64 * 1024 + 128 * 1024, `the host read ${held} bytes with a 64 KiB window`);
      const parts: Uint8Array[] = [];
      let offset = 0;
      for await (const chunk of small.readOutput({ processId, fd: 1, offset })) {
        assert.equal(chunk.offset, offset);
        parts.push(chunk.data);
        offset += chunk.data.byteLength;
        await small.ackOutput({ processId, fd: 1, offset });
      }
      const output = Buffer.concat(parts);
      assert.equal(output.byteLength, 4 * MiB);
      for (let part = 0; part < 4; part++) assert.equal(sha256(output.subarray(part * MiB, (part + 1) * MiB)), expected);
      assert.deepEqual(await small.wait({ processId }), { code: 0 });
    } finally {
      await small.close();
    }
  });
});

describe('spawn helper: starts', () => {
  let dir: string;
  let transport: Transport;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'procwire-helper-'));
    transport = localTransport({ spawnHelper: true, vforkSpawn: false, maxProcesses: 1000 });
  });
  after(async () => {
    await transport.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('spawn errors are the same clear errors as in-process', async () => {
    const script = join(dir, 'not-executable');
    writeFileSync(script, '#!/bin/sh\necho no\n');
    chmodSync(script, 0o644);
    await assert.rejects(transport.start(pipeRequest(nextId(), ['no-such-command-procwire'])), {
      code: 'not_found',
      message: /command not found: "no-such-command-procwire"/,
    });
    await assert.rejects(transport.start(pipeRequest(nextId(), [script])), { code: 'permission_denied' });
    await assert.rejects(transport.start(pipeRequest(nextId(), ['true'], { cwd: join(dir, 'missing') })), {
      code: 'invalid_argument',
      message: /does not exist/,
    });
    // The host and its helper run on.
    assert.deepEqual((await run(transport, pipeRequest(nextId(), ['echo', 'still here']))).stdout, 'still here\n');
  });

  test('concurrent starts of one id start one process and all answer with it', async () => {
    const processId = nextId();
    const infos = await Promise.all(
      Array.from({ length: 10 }, () => transport.start(pipeRequest(processId, ['sh', '-c', 'echo once']))),
    );
    assert.equal(new Set(infos.map((info) => info.pid)).size, 1);
    await transport.wait({ processId });
    assert.equal(await readText(transport, processId), 'once\n');
  });

  test('500 concurrent starts all run, each with its own output', async () => {
    const ids = Array.from({ length: 500 }, () => nextId('many'));
    await Promise.all(ids.map((processId, index) => transport.start(pipeRequest(processId, ['echo', String(index)]))));
    const outputs = await Promise.all(
      ids.map(async (processId) => {
        await transport.wait({ processId });
        return readText(transport, processId);
      }),
    );
    assert.deepEqual(
      outputs,
      ids.map((_, index) => `${index}\n`),
    );
  });

  test('a timeout kills the whole group', async () => {
    const processId = nextId();
    const info = await transport.start(pipeRequest(processId, ['sh', '-c', 'sleep 100 & sleep 100'], { timeoutMs: 200 }));
    const status = await transport.wait({ processId });
    assert.deepEqual(status, { code: 143, signal: 'SIGTERM', timedOut: true });
    assert.equal(await eventually(async () => !(await groupAlive(info.pid!))), true);
  });

  test('processes run as the given user (nobody) when the host runs as root', { skip: process.getuid?.() !== 0 }, async () => {
    const asNobody = localTransport({ spawnHelper: true, vforkSpawn: false, uid: 65534, gid: 65534, defaultCwd: '/' });
    try {
      assert.equal((await run(asNobody, pipeRequest(nextId(), ['id', '-u']))).stdout.trim(), '65534');
      assert.equal((await run(asNobody, pipeRequest(nextId(), ['id', '-G']))).stdout.trim(), '65534');
    } finally {
      await asNobody.close();
    }
  });
});

describe('spawn helper: its own life', () => {
  test('is started at the first pipe start, and close() kills what it started and stops it', async () => {
    const before = await helperPids();
    const transport = localTransport({ spawnHelper: true, vforkSpawn: false });
    assert.deepEqual(await helperPids(), before, 'no helper before the first start');
    const info = await transport.start(pipeRequest(nextId(), ['sh', '-c', 'sleep 100 & sleep 100']));
    // One whose output nobody reads, with a full window: close must not wait for a reader.
    const stuck = await transport.start(pipeRequest(nextId(), ['head', '-c', String(32 * MiB), '/dev/zero']));
    const helpers = (await helperPids()).filter((pid) => !before.includes(pid));
    assert.equal(helpers.length, 1);
    await transport.close();
    for (const pid of [info.pid!, stuck.pid!]) {
      assert.equal(await eventually(async () => !(await groupAlive(pid))), true, `group ${pid} is gone`);
    }
    assert.deepEqual(await helperPids(), before, 'the helper is gone (and reaped)');
  });

  test('close() during starts in flight: every process it started is killed, later calls are closed', async () => {
    const before = await helperPids();
    const transport = localTransport({ spawnHelper: true, vforkSpawn: false });
    const starts = Array.from({ length: 20 }, () => transport.start(pipeRequest(nextId(), ['sleep', '100'])));
    const closed = transport.close();
    const settled = await Promise.allSettled(starts);
    await closed;
    for (const result of settled) {
      // Each start either finished (and its process was then killed) or was refused as closed.
      if (result.status === 'rejected') {
        assert.equal((result.reason as { code?: string }).code, 'closed');
        continue;
      }
      const pid = result.value.pid!;
      assert.equal(await eventually(async () => !(await groupAlive(pid))), true, `group ${pid} is gone`);
    }
    await assert.rejects(transport.start(pipeRequest(nextId(), ['true'])), { code: 'closed' });
    assert.deepEqual(await helperPids(), before, 'the helper is gone');
  });

  test('killed: running processes keep their pipes, their end is process_lost, and the next start gets a new helper', async () => {
    const before = await helperPids();
    const transport = localTransport({ spawnHelper: true, vforkSpawn: false });
    try {
      const processId = nextId();
      await transport.start(pipeRequest(processId, ['sh', '-c', 'read line; echo "got:$line"']));
      const [helper] = (await helperPids()).filter((pid) => !before.includes(pid));
      assert.ok(helper !== undefined);
      process.kill(helper, 'SIGKILL');
      assert.equal(await eventually(async () => !(await helperPids()).includes(helper)), true);
      // The process still runs and talks through its pipes.
      await transport.writeInput({ processId, offset: 0, data: new TextEncoder().encode('after\n'), eof: true });
      assert.equal(await readText(transport, processId), 'got:after\n');
      // Its exit status went with the helper (its parent): reported as lost, not made up.
      await assert.rejects(transport.wait({ processId }), { code: 'process_lost', message: /spawn helper exited by SIGKILL/ });
      await assert.rejects(transport.poll({ processId }), { code: 'process_lost' });
      assert.equal((await transport.get({ processId })).state, 'exited');
      // The next start starts a new helper.
      assert.equal((await run(transport, pipeRequest(nextId(), ['echo', 'again']))).stdout, 'again\n');
      const now = (await helperPids()).filter((pid) => !before.includes(pid));
      assert.equal(now.length, 1);
      assert.notEqual(now[0], helper);
    } finally {
      await transport.close();
    }
  });
});
