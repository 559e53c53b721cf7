import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Transport } from '@procwire/core/transport';
import { localTransport } from '@procwire/local-pty';
import { eventually, groupAlive, nextId, pipeRequest, procStats, ptyRequest, readAll, readText, run, stillPending } from './helpers.js';

describe('process table: ownership, retention, limits', () => {
  let transport: Transport;
  before(() => {
    transport = localTransport({ retentionMs: 400, maxProcesses: 3 });
  });
  after(async () => {
    await transport.close();
  });

  test('another principal sees "not found" for every call on my process, and lists nothing', async () => {
    const processId = nextId();
    const alice = { principal: 'alice' };
    const bob = { principal: 'bob' };
    await transport.start(pipeRequest(processId, ['cat']), alice);
    const notFound = { code: 'not_found' };
    await assert.rejects(transport.get({ processId }, bob), notFound);
    await assert.rejects(transport.get({ processId }), notFound);
    await assert.rejects(transport.wait({ processId }, bob), notFound);
    await assert.rejects(transport.poll({ processId }, bob), notFound);
    await assert.rejects(transport.signal({ processId, signal: 'SIGKILL' }, bob), notFound);
    await assert.rejects(transport.resize({ processId, size: { cols: 1, rows: 1 } }, bob), notFound);
    await assert.rejects(transport.ackOutput({ processId, fd: 1, offset: 0 }, bob), notFound);
    await assert.rejects(transport.writeInput({ processId, offset: 0, data: new Uint8Array(1), eof: true }, bob), notFound);
    await assert.rejects(readAll(transport, processId, 1, { principal: 'bob' }), notFound);
    assert.deepEqual(await transport.list(bob), []);
    // The same id is free for bob: his own, separate process.
    await transport.start(pipeRequest(processId, ['echo', 'bob']), bob);
    await transport.wait({ processId }, bob);
    assert.equal((await readAll(transport, processId, 1, { principal: 'bob' })).toString(), 'bob\n');
    // Alice's cat is untouched.
    assert.equal((await transport.get({ processId }, alice)).state, 'running');
    await transport.writeInput({ processId, offset: 0, data: new Uint8Array(0), eof: true }, alice);
    assert.deepEqual(await transport.wait({ processId }, alice), { code: 0 });
  });

  test('a start with an existing id returns that process and starts nothing', async () => {
    const processId = nextId();
    const first = await transport.start(pipeRequest(processId, ['sh', '-c', 'echo once']));
    const second = await transport.start(pipeRequest(processId, ['sh', '-c', 'echo twice']));
    assert.equal(second.pid, first.pid);
    await transport.wait({ processId });
    assert.equal(await readText(transport, processId), 'once\n');
  });

  test('an exited process stays queryable with its exit status and unread output, then is forgotten', async () => {
    const processId = nextId();
    await transport.start(pipeRequest(processId, ['sh', '-c', 'echo kept; exit 5']));
    assert.deepEqual(await transport.wait({ processId }), { code: 5 });
    const info = await transport.get({ processId });
    assert.equal(info.state, 'exited');
    assert.deepEqual(info.exit, { code: 5 });
    assert.ok(info.exitedAt! >= info.startedAt);
    assert.ok((await transport.list()).some((p) => p.processId === processId));
    assert.equal(await readText(transport, processId), 'kept\n');
    assert.ok(await eventually(() => transport.get({ processId }).then(() => false, () => true)), 'forgotten after retention');
    assert.ok(!(await transport.list()).some((p) => p.processId === processId));
  });

  test('list() shows running and exited processes', async () => {
    const running = nextId();
    const exited = nextId();
    await transport.start(pipeRequest(running, ['cat']));
    await transport.start(pipeRequest(exited, ['true']));
    await transport.wait({ processId: exited });
    const states = new Map((await transport.list()).map((p) => [p.processId, p.state]));
    assert.equal(states.get(running), 'running');
    assert.equal(states.get(exited), 'exited');
    await transport.signal({ processId: running, signal: 'SIGKILL' });
    await transport.wait({ processId: running });
  });

  test('past maxProcesses running, start is resource_exhausted; an exit makes room', async () => {
    const ids = [nextId(), nextId(), nextId()];
    for (const processId of ids) await transport.start(pipeRequest(processId, ['cat']));
    await assert.rejects(transport.start(pipeRequest(nextId(), ['true'])), {
      code: 'resource_exhausted',
      message: /limit is 3/,
    });
    await transport.signal({ processId: ids[0]!, signal: 'SIGKILL' });
    await transport.wait({ processId: ids[0]! });
    const result = await run(transport, pipeRequest(nextId(), ['echo', 'room']));
    assert.equal(result.stdout, 'room\n');
    for (const processId of ids.slice(1)) {
      await transport.signal({ processId, signal: 'SIGKILL' });
      await transport.wait({ processId });
    }
  });
});

describe('output window', () => {
  test('a full window pauses the process; acknowledging lets it finish; nothing is lost', async () => {
    const transport = localTransport({ outputWindowBytes: 64 * 1024 });
    try {
      const processId = nextId();
      const size = 4 * 1024 * 1024;
      await transport.start(pipeRequest(processId, ['head', '-c', String(size), '/dev/zero']));
      assert.equal(await stillPending(transport.wait({ processId }), 500), 'pending');
      const held = (await transport.get({ processId })).stdout;
      assert.ok(held.written <= 64 * 1024 + 128 * 1024, `held ${held.written} bytes unacknowledged`);
      // Read half, stop, and go on from where we were: no gap, no duplicate.
      let offset = 0;
      for await (const chunk of transport.readOutput({ processId, fd: 1, offset })) {
        assert.equal(chunk.offset, offset);
        offset += chunk.data.byteLength;
        await transport.ackOutput({ processId, fd: 1, offset });
        if (offset >= size / 2) break;
      }
      for await (const chunk of transport.readOutput({ processId, fd: 1, offset })) {
        assert.equal(chunk.offset, offset);
        offset += chunk.data.byteLength;
        await transport.ackOutput({ processId, fd: 1, offset });
      }
      assert.equal(offset, size);
      assert.deepEqual(await transport.wait({ processId }), { code: 0 });
      const info = await transport.get({ processId });
      assert.equal(info.outputWindowBytes, 64 * 1024);
      await assert.rejects(readAll(transport, processId, 1), { code: 'out_of_range' });
    } finally {
      await transport.close();
    }
  });
});

describe('close()', () => {
  test('kills every process group it started, pipe and pty, and then refuses calls', async () => {
    const transport = localTransport();
    const pipe = await transport.start(pipeRequest(nextId(), ['sh', '-c', 'sleep 100 & sleep 100']));
    const pty = await transport.start(ptyRequest(nextId(), ['sh', '-c', 'sleep 100 & sleep 100']));
    // One whose output nobody reads, with a full window: close must not wait for a reader.
    const stuck = await transport.start(pipeRequest(nextId(), ['head', '-c', String(32 * 1024 * 1024), '/dev/zero']));
    await transport.close();
    for (const info of [pipe, pty, stuck]) {
      assert.ok(await eventually(async () => !(await groupAlive(info.pid!))), `group ${info.pid} is gone`);
    }
    // No zombies: every child of this process was reaped.
    assert.ok(await eventually(async () => (await zombieChildren()) === 0), 'no zombie children');
    await assert.rejects(transport.list(), { code: 'closed' });
    await assert.rejects(transport.start(pipeRequest(nextId(), ['true'])), { code: 'closed' });
    await transport.close();
  });
});

describe('uid and gid', () => {
  test('processes run as the given user (nobody) when the host runs as root', { skip: process.getuid?.() !== 0 }, async () => {
    const transport = localTransport({ uid: 65534, gid: 65534, defaultCwd: '/' });
    // Give the host supplementary groups (root, adm), as a real server may have: none may leak.
    const hostGroups = process.getgroups!();
    process.setgroups!([0, 4]);
    try {
      for (const request of [pipeRequest(nextId(), ['id', '-u']), ptyRequest(nextId(), ['id', '-u'])]) {
        const result = await run(transport, request);
        assert.equal(result.stdout.trim(), '65534');
      }
      // No supplementary group of the host survives the switch, in either mode.
      for (const request of [pipeRequest(nextId(), ['id', '-G']), ptyRequest(nextId(), ['id', '-G'])]) {
        assert.equal((await run(transport, request)).stdout.trim(), '65534');
      }
    } finally {
      process.setgroups!(hostGroups);
      await transport.close();
    }
  });
});

async function zombieChildren(): Promise<number> {
  return (await procStats()).filter((stat) => stat.state === 'Z' && stat.ppid === process.pid).length;
}
