import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Transport } from '@procwire/core/transport';
import { localTransport } from '@procwire/local-pty';
import { nextId, pipeRequest, ptyRequest, readText, stillPending } from './helpers.js';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('stdin by offset', () => {
  let transport: Transport;
  before(() => {
    transport = localTransport();
  });
  after(async () => {
    await transport.close();
  });

  test('a retried, overlapping write applies each byte once, and EOF ends the input', async () => {
    const processId = nextId();
    await transport.start(pipeRequest(processId, ['cat']));
    assert.deepEqual(await transport.writeInput({ processId, offset: 0, data: bytes('hello '), eof: false }), {
      offset: 6,
      eof: false,
    });
    // The same bytes again (a retry after a lost reply), then an overlap that carries new bytes.
    await transport.writeInput({ processId, offset: 0, data: bytes('hello '), eof: false });
    const result = await transport.writeInput({ processId, offset: 3, data: bytes('lo world'), eof: true });
    assert.deepEqual(result, { offset: 11, eof: true });
    assert.deepEqual(await transport.wait({ processId }), { code: 0 });
    assert.equal(await readText(transport, processId), 'hello world');
  });

  test('a gap is out_of_range and writing after EOF is failed_precondition; EOF again is a no-op', async () => {
    const processId = nextId();
    await transport.start(pipeRequest(processId, ['cat']));
    await assert.rejects(transport.writeInput({ processId, offset: 5, data: bytes('x'), eof: false }), {
      code: 'out_of_range',
    });
    await transport.writeInput({ processId, offset: 0, data: bytes('ab'), eof: true });
    await assert.rejects(transport.writeInput({ processId, offset: 2, data: bytes('c'), eof: false }), {
      code: 'failed_precondition',
    });
    assert.deepEqual(await transport.writeInput({ processId, offset: 2, data: new Uint8Array(0), eof: true }), {
      offset: 2,
      eof: true,
    });
    await transport.wait({ processId });
    assert.equal(await readText(transport, processId), 'ab');
  });

  test('a write waits while the process does not read (backpressure), and ends when it exits', async () => {
    const processId = nextId();
    await transport.start(pipeRequest(processId, ['sleep', '30']));
    // Far more than a pipe and the stream buffer can hold: it cannot be accepted until read.
    const write = transport.writeInput({ processId, offset: 0, data: new Uint8Array(4 * 1024 * 1024), eof: false });
    assert.equal(await stillPending(write, 300), 'pending');
    await transport.signal({ processId, signal: 'SIGKILL' });
    await write;
    assert.deepEqual(await transport.wait({ processId }), { code: 137, signal: 'SIGKILL' });
  });

  test('input for a process that closed its stdin is discarded, not a crash (EPIPE)', async () => {
    const processId = nextId();
    await transport.start(pipeRequest(processId, ['sh', '-c', 'exec 0<&-; sleep 0.3; echo still here']));
    for (let offset = 0; offset < 1024 * 1024; offset += 64 * 1024) {
      await transport.writeInput({ processId, offset, data: new Uint8Array(64 * 1024), eof: false });
    }
    await transport.writeInput({ processId, offset: 1024 * 1024, data: new Uint8Array(0), eof: true });
    assert.deepEqual(await transport.wait({ processId }), { code: 0 });
    assert.equal(await readText(transport, processId), 'still here\n');
  });

  for (const mode of ['pipe', 'pty'] as const) {
    test(`${mode}: a write waiting when the leader exits completes, though an orphan still holds stdin`, async () => {
      // A long grace, so that only the leader's exit (not the orphan reaper) can end the write. The
      // terminal is raw, so unread input blocks the writer instead of being dropped by the line editor.
      const patient = localTransport({ killGraceMs: 60_000 });
      try {
        const processId = nextId();
        const argv = ['sh', '-c', 'stty raw -echo; trap "" HUP; sleep 30 0<&0 & sleep 0.5'];
        await patient.start(mode === 'pipe' ? pipeRequest(processId, argv) : ptyRequest(processId, argv));
        const size = 4 * 1024 * 1024;
        const write = patient.writeInput({ processId, offset: 0, data: new Uint8Array(size).fill(0x61), eof: true });
        assert.equal(await stillPending(write, 10_000), 'settled');
        assert.deepEqual(await write, { offset: size, eof: true });
      } finally {
        await patient.close();
      }
    });
  }

  test('input for a process that has exited is accepted and discarded', async () => {
    const processId = nextId();
    await transport.start(pipeRequest(processId, ['true']));
    await transport.wait({ processId });
    assert.deepEqual(await transport.writeInput({ processId, offset: 0, data: bytes('late'), eof: true }), {
      offset: 4,
      eof: true,
    });
  });

  test('stdin data that is not bytes is invalid_argument', async () => {
    const processId = nextId();
    await transport.start(pipeRequest(processId, ['cat']));
    const data = 'text' as unknown as Uint8Array;
    await assert.rejects(transport.writeInput({ processId, offset: 0, data, eof: false }), { code: 'invalid_argument' });
    await transport.writeInput({ processId, offset: 0, data: new Uint8Array(0), eof: true });
    assert.deepEqual(await transport.wait({ processId }), { code: 0 });
  });
});
