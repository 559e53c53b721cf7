import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { ErrorCode, isProcwireError, type Transport, type WriteInputRequest } from '@procwire/core/transport';
import { createClient, memoryTransport } from '@procwire/core';
import { eventually, withClient } from './harness.js';
import { allPrograms, patternBytes } from './programs.js';

const MiB = 1024 * 1024;

describe('StreamWriter', () => {
  it('round-trips strings and bytes through stdin, with EOF, and drain() resolves when the host has it all', async () => {
    await withClient(async ({ client }) => {
      const p = await client.exec(['cat']);
      p.stdin.write('h\u00e9llo ');
      p.stdin.write(new Uint8Array([0x77, 0x6f, 0x72, 0x6c, 0x64]));
      p.stdin.writeEof();
      p.stdin.writeEof(); // idempotent
      await p.stdin.drain();
      assert.equal(p.stdin.bufferedBytes, 0);
      const info = await p.info();
      assert.deepEqual(info.stdin, { offset: 12, eof: true });
      assert.equal(await p.stdout.read(), 'h\u00e9llo world');
      assert.equal(await p.wait(), 0);
    });
  });

  it('sends data without waiting for drain()', async () => {
    await withClient(async ({ client }) => {
      const p = await client.exec(['cat']);
      p.stdin.write('no drain needed\n');
      const iterator = p.stdout[Symbol.asyncIterator]();
      assert.deepEqual(await iterator.next(), { done: false, value: 'no drain needed\n' });
      await p.kill('SIGKILL');
    });
  });

  it('write() after writeEof() throws failed_precondition', async () => {
    await withClient(async ({ client }) => {
      const p = await client.exec(['cat']);
      p.stdin.writeEof();
      assert.throws(
        () => p.stdin.write('late'),
        (error) => isProcwireError(error, ErrorCode.FailedPrecondition) && /writeEof/.test(error.message),
      );
      await p.stdin.drain();
      assert.equal(await p.wait(), 0);
    });
  });

  it('bounds unsent bytes at 16 MiB with a resource_exhausted error that says to await drain()', async () => {
    await withClient(async ({ client }) => {
      const p = await client.exec(['cat'], { text: false });
      const payload = patternBytes(0, 16 * MiB);
      p.stdin.write(payload);
      assert.throws(
        () => p.stdin.write('x'),
        (error) => isProcwireError(error, ErrorCode.ResourceExhausted) && /drain\(\)/.test(error.message),
      );
      // Nothing was lost by the refused write: the 16 MiB arrive intact once drained.
      const output = p.stdout.read();
      await p.stdin.drain();
      p.stdin.write('!');
      p.stdin.writeEof();
      await p.stdin.drain();
      const received = await output;
      assert.equal(received.byteLength, 16 * MiB + 1);
      assert.equal(sha256(received.subarray(0, 16 * MiB)), sha256(payload));
      assert.equal(received[16 * MiB], 0x21);
    });
  });

  it('sends chunks of at most 256 KiB, one at a time, at consecutive offsets', async () => {
    const host = memoryTransport({ programs: allPrograms });
    const writes: Array<{ offset: number; size: number; eof: boolean }> = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const observed: Transport = Object.assign(Object.create(host) as Transport, {
      async writeInput(request: WriteInputRequest) {
        writes.push({ offset: request.offset, size: request.data.byteLength, eof: request.eof });
        maxInFlight = Math.max(maxInFlight, ++inFlight);
        try {
          return await host.writeInput(request);
        } finally {
          inFlight--;
        }
      },
    });
    const client = createClient(observed);
    try {
      const p = await client.exec(['cat'], { text: false });
      const output = p.stdout.read();
      p.stdin.write(patternBytes(0, MiB + 5));
      p.stdin.writeEof();
      await p.stdin.drain();
      assert.equal((await output).byteLength, MiB + 5);
      assert.equal(maxInFlight, 1);
      assert.ok(writes.every((write) => write.size <= 256 * 1024));
      let expected = 0;
      for (const write of writes) {
        assert.equal(write.offset, expected);
        expected += write.size;
      }
      assert.equal(expected, MiB + 5);
      assert.equal(writes.at(-1)?.eof, true);
    } finally {
      await client.close();
    }
  });

  it('many tiny writes arrive in order and are packed into few sends', async () => {
    const host = memoryTransport({ programs: allPrograms });
    let sends = 0;
    const observed: Transport = Object.assign(Object.create(host) as Transport, {
      async writeInput(request: WriteInputRequest) {
        sends++;
        return host.writeInput(request);
      },
    });
    const client = createClient(observed);
    try {
      const p = await client.exec(['cat']);
      const output = p.stdout.read();
      let expected = '';
      for (let i = 0; i < 100_000; i++) {
        const key = String.fromCharCode(97 + (i % 26));
        p.stdin.write(key);
        expected += key;
      }
      p.stdin.writeEof();
      await p.stdin.drain();
      assert.equal(await output, expected);
      assert.ok(sends < 20, `${sends} sends for 100000 one-byte writes`);
    } finally {
      await client.close();
    }
  });

  it('writes of every size, some awaited and some not, arrive whole and in order', async () => {
    await withClient(async ({ client }) => {
      const p = await client.exec(['cat'], { text: false });
      const received = (async () => {
        const hash = createHash('sha256');
        for await (const chunk of p.stdout) hash.update(chunk);
        return hash.digest('hex');
      })();
      const sent = createHash('sha256');
      // Sizes around the writer's block boundaries (256 B doubling to 64 KiB, 16 KiB copied whole).
      const sizes = [1, 255, 256, 257, 300, 1000, 4097, 16 * 1024 - 1, 16 * 1024, 70_000, 1, 1, 2];
      let seed = 7;
      for (let i = 0; i < 3000; i++) {
        const size = sizes[i % sizes.length]!;
        const bytes = new Uint8Array(size);
        for (let j = 0; j < size; j++) {
          seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
          bytes[j] = seed >>> 24;
        }
        p.stdin.write(bytes);
        sent.update(bytes);
        // The caller may reuse its buffer at once: the queue must have copied it.
        bytes.fill(0);
        if (i % 97 === 0) await p.stdin.drain();
      }
      p.stdin.writeEof();
      await p.stdin.drain();
      assert.equal(await received, sent.digest('hex'));
      assert.equal(await p.wait(), 0);
    });
  });

  it('drain() rejects with the error that stopped the sending, and write() reports it too', async () => {
    const transport = memoryTransport({ programs: allPrograms });
    const client = createClient(transport);
    const p = await client.exec(['sleep']);
    await transport.close();
    p.stdin.write('into the void');
    await assert.rejects(p.stdin.drain(), (error) => isProcwireError(error, ErrorCode.Closed));
    assert.throws(() => p.stdin.write('again'), (error) => isProcwireError(error, ErrorCode.Closed));
    await client.close();
  });

  it('toWritableStream() writes, and its close() sends EOF and drains', async () => {
    await withClient(async ({ client }) => {
      const p = await client.exec(['cat']);
      const writer = p.stdin.toWritableStream().getWriter();
      await writer.write('via ');
      await writer.write(new TextEncoder().encode('web streams'));
      await writer.close();
      assert.equal((await p.info()).stdin.eof, true);
      assert.equal(await p.stdout.read(), 'via web streams');
    });
  });

  it('a program that never reads stdin holds the writer back (drain waits) until it exits', async () => {
    await withClient(async ({ client }) => {
      const p = await client.exec(['sleep']);
      p.stdin.write(patternBytes(0, 4 * MiB));
      let drained = false;
      const draining = p.stdin.drain().then(() => {
        drained = true;
      });
      await eventually(async () => (await p.info()).stdin.offset > 0);
      assert.equal(drained, false);
      assert.ok(p.stdin.bufferedBytes > 0, 'bytes wait in the client, not unbounded on the host');
      await p.kill('SIGKILL');
      await draining;
      assert.equal(await p.wait(), 137);
    });
  });
});

function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}
