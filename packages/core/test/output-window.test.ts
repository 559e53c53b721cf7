import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { describe, it } from 'node:test';
import { ErrorCode, isProcwireError, OutputWindow } from '@procwire/core/transport';

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (data: Uint8Array) => new TextDecoder().decode(data);

async function readAll(window: OutputWindow, offset: number, signal?: AbortSignal): Promise<string> {
  let out = '';
  for await (const chunk of window.read(offset, signal)) out += text(chunk.data);
  return out;
}

describe('OutputWindow', () => {
  it('serves reads from any retained offset, each chunk at its offset, and ends at EOF', async () => {
    const window = new OutputWindow({ windowBytes: 1024 });
    window.push(bytes('hello '));
    window.push(bytes('world'));
    window.end();
    const chunks: Array<{ offset: number; data: string }> = [];
    for await (const chunk of window.read(3)) chunks.push({ offset: chunk.offset, data: text(chunk.data) });
    assert.equal(chunks.map((chunk) => chunk.data).join(''), 'lo world');
    assert.equal(chunks[0]!.offset, 3);
    assert.deepEqual(window.info(), { mode: 'pipe', acknowledged: 3, written: 11, eof: true });
  });

  it('a read from an offset acknowledges what is before it; older offsets are out_of_range', async () => {
    const window = new OutputWindow({ windowBytes: 1024, name: 'stdout' });
    window.push(bytes('abcdef'));
    window.end();
    assert.equal(await readAll(window, 4), 'ef');
    await assert.rejects(readAll(window, 2), (error) => isProcwireError(error, ErrorCode.OutOfRange) && /stdout/.test(error.message));
    await assert.rejects(readAll(window, 7), (error) => isProcwireError(error, ErrorCode.OutOfRange));
    assert.throws(() => window.acknowledge(99), (error) => isProcwireError(error, ErrorCode.OutOfRange));
    window.acknowledge(1); // lower than before: no-op
    assert.equal(window.acknowledged, 4);
  });

  it('pauses its source when the window fills and resumes when an ack makes room', () => {
    const events: string[] = [];
    const window = new OutputWindow({ windowBytes: 10, pause: () => events.push('pause'), resume: () => events.push('resume') });
    window.push(bytes('12345'));
    assert.deepEqual(events, []);
    window.push(bytes('67890'));
    assert.deepEqual(events, ['pause']);
    assert.equal(window.isPaused, true);
    window.acknowledge(3);
    assert.deepEqual(events, ['pause', 'resume']);
    assert.equal(window.retainedBytes, 10, 'the first chunk is only freed once fully acknowledged');
    window.acknowledge(5);
    assert.equal(window.retainedBytes, 5);
  });

  it('keeps serving offsets after every byte was acknowledged, again and again', async () => {
    const window = new OutputWindow({ windowBytes: 1024 });
    const reader = window.read(0)[Symbol.asyncIterator]();
    let expected = '';
    for (let round = 0; round < 5; round++) {
      const piece = `round ${round};`;
      window.push(bytes(piece.slice(0, 3)));
      window.push(bytes(piece.slice(3)));
      expected += piece;
      // The reader takes what is there and acknowledges all of it, as a client that keeps up does.
      let got = '';
      while (got.length < piece.length) {
        const { value } = await reader.next();
        assert.equal(value!.offset, window.written - piece.length + got.length);
        got += text(value!.data);
      }
      assert.equal(got, piece);
      window.acknowledge(window.written);
      assert.equal(window.retainedBytes, 0);
    }
    window.push(bytes('tail'));
    window.end();
    assert.equal(await readAll(window, expected.length + 2), 'il');
    assert.deepEqual(window.info(), { mode: 'pipe', acknowledged: expected.length + 2, written: expected.length + 4, eof: true });
  });

  it('keeps every unacknowledged byte at its offset when many chunks were acknowledged and more arrive', async () => {
    const window = new OutputWindow({ windowBytes: 1 << 20 });
    const chunk = (i: number) => bytes(`<${i}>`);
    let expected = '';
    for (let i = 0; i < 3000; i++) {
      window.push(chunk(i));
      expected += `<${i}>`;
    }
    // Two thirds acknowledged, and one partly: the rest moves to the front of the window's arrays.
    const acked = expected.indexOf('<2000>') + 2;
    window.acknowledge(acked);
    for (let i = 3000; i < 3100; i++) {
      window.push(chunk(i));
      expected += `<${i}>`;
    }
    window.end();
    assert.equal(window.retainedBytes, expected.length - expected.indexOf('<2000>'));
    let got = '';
    for await (const { offset, data } of window.read(acked + 1)) {
      assert.equal(offset, acked + 1 + got.length);
      got += text(data);
    }
    assert.equal(got, expected.slice(acked + 1));
  });

  it('a waiting reader gets new output as it arrives', async () => {
    const window = new OutputWindow({ windowBytes: 1024 });
    const reading = readAll(window, 0);
    window.push(bytes('late'));
    await new Promise((resolve) => setTimeout(resolve, 5));
    window.push(bytes(' data'));
    window.end();
    assert.equal(await reading, 'late data');
  });

  it('an aborted read rejects with the abort reason', async () => {
    const window = new OutputWindow({ windowBytes: 1024 });
    const controller = new AbortController();
    const reading = (async () => {
      for await (const _chunk of window.read(0, controller.signal)) {
        // nothing arrives
      }
    })();
    controller.abort();
    await assert.rejects(reading, (error) => isProcwireError(error, ErrorCode.Aborted));
  });

  it('a read that waited many times leaves no abort listener behind on its signal', async () => {
    const window = new OutputWindow({ windowBytes: 1 << 20 });
    const controller = new AbortController();
    const reading = readAll(window, 0, controller.signal);
    for (let i = 0; i < 50; i++) {
      await new Promise((resolve) => setImmediate(resolve));
      window.push(bytes('x'));
      assert.ok(getEventListeners(controller.signal, 'abort').length <= 1, 'one listener per read, not one per wait');
    }
    window.end();
    assert.equal(await reading, 'x'.repeat(50));
    assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
  });

  it('a read whose signal is already aborted rejects with a procwire aborted error', async () => {
    const window = new OutputWindow({ windowBytes: 1024 });
    window.push(bytes('ready'));
    const reading = readAll(window, 0, AbortSignal.abort());
    await assert.rejects(reading, (error) => isProcwireError(error, ErrorCode.Aborted));
  });

  it('a devnull window counts bytes, keeps none, and refuses reads', async () => {
    const window = new OutputWindow({ windowBytes: 4, mode: 'devnull', name: 'stderr' });
    window.push(bytes('discarded bytes'));
    assert.equal(window.written, 15);
    assert.equal(window.retainedBytes, 0);
    assert.equal(window.isPaused, false);
    await assert.rejects(readAll(window, 0), (error) => isProcwireError(error, ErrorCode.InvalidArgument) && /DEVNULL/.test(error.message));
  });

  it('joins many small chunks into fewer reads without changing the bytes', async () => {
    const window = new OutputWindow({ windowBytes: 1 << 20 });
    let expected = '';
    for (let i = 0; i < 1000; i++) {
      window.push(bytes(`${i},`));
      expected += `${i},`;
    }
    window.end();
    let reads = 0;
    let out = '';
    for await (const chunk of window.read(0)) {
      reads++;
      out += text(chunk.data);
    }
    assert.equal(out, expected);
    assert.ok(reads < 10, `${reads} reads for 1000 tiny chunks`);
  });

  it('behaves as an async generator: lazy checks, queued next() calls in order, an error or return() ends it', async () => {
    const window = new OutputWindow({ windowBytes: 1024 });
    const early = window.read(5);
    window.push(bytes('0123456789'));
    // Checked at the first next(), not when read() was called.
    assert.deepEqual(await early.next(), { done: false, value: { offset: 5, data: bytes('56789') } });
    const reader = window.read(10);
    const first = reader.next();
    const second = reader.next();
    window.push(bytes('ab'));
    await new Promise((resolve) => setTimeout(resolve, 5));
    window.push(bytes('cd'));
    window.end();
    assert.deepEqual(await first, { done: false, value: { offset: 10, data: bytes('ab') } });
    assert.deepEqual(await second, { done: false, value: { offset: 12, data: bytes('cd') } });
    assert.deepEqual(await reader.next(), { done: true, value: undefined });
    const failing = window.read(99);
    await assert.rejects(failing.next(), (error) => isProcwireError(error, ErrorCode.OutOfRange));
    assert.deepEqual(await failing.next(), { done: true, value: undefined }, 'an error ends the read');
    const stopped = window.read(12);
    assert.deepEqual(await stopped.return(), { done: true, value: undefined });
    assert.deepEqual(await stopped.next(), { done: true, value: undefined }, 'return() ends the read');
  });
});
