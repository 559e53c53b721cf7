import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Transport } from '@procwire/core/transport';
import { localTransport } from '@procwire/local-pty';
import { eventually, groupAlive, groupMembers, nextId, pipeRequest, ptyRequest, readText } from './helpers.js';

/** Reads stdout until it holds a full line, without waiting for EOF. */
async function firstLine(transport: Transport, processId: string): Promise<string> {
  let text = '';
  for await (const chunk of transport.readOutput({ processId, fd: 1, offset: 0 })) {
    text += Buffer.from(chunk.data).toString();
    if (text.includes('\n')) break;
  }
  return text.trim();
}

describe('signals and process groups', () => {
  let transport: Transport;
  before(() => {
    transport = localTransport({ killGraceMs: 300 });
  });
  after(async () => {
    await transport.close();
  });

  for (const mode of ['pipe', 'pty'] as const) {
    test(`${mode}: a signal reaches every process of the group (sh -c 'sleep 100 & sleep 100' leaves nothing)`, async () => {
      const processId = nextId();
      const request = (mode === 'pipe' ? pipeRequest : ptyRequest)(processId, ['sh', '-c', 'sleep 100 & sleep 100']);
      const { pid } = await transport.start(request);
      assert.ok(await eventually(async () => (await groupMembers(pid!)) >= 3));
      await transport.signal({ processId, signal: 'SIGTERM' });
      assert.deepEqual(await transport.wait({ processId }), { code: 143, signal: 'SIGTERM' });
      assert.ok(await eventually(async () => !(await groupAlive(pid!))), 'the group is gone');
    });
  }

  test('any POSIX signal name is delivered (SIGUSR2 to a shell that traps it)', async () => {
    const processId = nextId();
    await transport.start(pipeRequest(processId, ['sh', '-c', 'trap "echo got usr2; exit 0" USR2; echo ready; while :; do sleep 0.05; done']));
    assert.equal(await firstLine(transport, processId), 'ready');
    await transport.signal({ processId, signal: 'SIGUSR2' });
    assert.deepEqual(await transport.wait({ processId }), { code: 0 });
    assert.equal(await readText(transport, processId), 'ready\ngot usr2\n');
  });

  test('an unknown or malformed signal name is invalid_argument; signalling an exited process is not an error', async () => {
    const processId = nextId();
    await transport.start(pipeRequest(processId, ['true']));
    await assert.rejects(transport.signal({ processId, signal: 'SIGNOPE' }), { code: 'invalid_argument' });
    await assert.rejects(transport.signal({ processId, signal: 'TERM' as 'SIGTERM' }), { code: 'invalid_argument' });
    await transport.wait({ processId });
    await transport.signal({ processId, signal: 'SIGKILL' });
  });

  for (const mode of ['pipe', 'pty'] as const) {
    test(`${mode}: timeout sends SIGTERM to the group, and the exit status says timedOut`, async () => {
      const processId = nextId();
      const request = (mode === 'pipe' ? pipeRequest : ptyRequest)(processId, ['sh', '-c', 'sleep 100 & sleep 100'], {
        timeoutMs: 200,
      });
      const { pid } = await transport.start(request);
      assert.deepEqual(await transport.wait({ processId }), { code: 143, signal: 'SIGTERM', timedOut: true });
      assert.ok(await eventually(async () => !(await groupAlive(pid!))), 'the group is gone');
    });
  }

  test('timeout: a process that ignores SIGTERM gets SIGKILL after the grace period', async () => {
    const processId = nextId();
    await transport.start(pipeRequest(processId, ['sh', '-c', 'trap "" TERM; echo ready; sleep 100'], { timeoutMs: 100 }));
    assert.deepEqual(await transport.wait({ processId }), { code: 137, signal: 'SIGKILL', timedOut: true });
  });

  test('orphans in the group that keep stdout open are killed after the leader exits', async () => {
    const processId = nextId();
    const { pid } = await transport.start(pipeRequest(processId, ['sh', '-c', 'sleep 100 & echo leader done']));
    assert.deepEqual(await transport.wait({ processId }), { code: 0 });
    assert.equal(await readText(transport, processId), 'leader done\n');
    assert.ok(await eventually(async () => !(await groupAlive(pid!))), 'the orphan is gone');
  });

  test('a process that escaped the group and holds stdout does not hang the exit forever', async () => {
    const processId = nextId();
    // setsid puts the sleep in a new session: no group signal reaches it.
    await transport.start(pipeRequest(processId, ['sh', '-c', 'setsid sleep 30 & echo $!']));
    const escaped = Number(await firstLine(transport, processId));
    try {
      assert.deepEqual(await transport.wait({ processId }), { code: 0 });
      assert.equal((await transport.get({ processId })).stdout.eof, true);
    } finally {
      try {
        process.kill(escaped, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  });
});
