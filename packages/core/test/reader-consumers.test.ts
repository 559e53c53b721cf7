import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode, isProcwireError, StreamType } from '@procwire/core';
import { collect, withClient } from './harness.js';

describe('StreamReader consumers', () => {
  it('gives a second consumer a stream_consumed error, not silence', async () => {
    await withClient(async ({ client }) => {
      const p = await client.exec(['echo', 'once']);
      assert.equal(await p.stdout.read(), 'once\n');
      await assert.rejects(p.stdout.read(), (error) => isProcwireError(error, ErrorCode.StreamConsumed) && /stdout/.test(error.message));
      assert.throws(() => p.stdout[Symbol.asyncIterator](), (error) => isProcwireError(error, ErrorCode.StreamConsumed));
      assert.throws(() => p.stdout.toReadableStream(), (error) => isProcwireError(error, ErrorCode.StreamConsumed));
    });
  });

  it('reading a DEVNULL stream is an invalid_argument error naming the stream and mode', async () => {
    await withClient(async ({ client }) => {
      const p = await client.exec(['chunks', 'out', 'err:err'], { stderr: StreamType.DEVNULL });
      await assert.rejects(
        p.stderr.read(),
        (error) => isProcwireError(error, ErrorCode.InvalidArgument) && /stderr/.test(error.message) && /DEVNULL/.test(error.message),
      );
      assert.equal(await p.stdout.read(), 'out');
      const info = await p.info();
      assert.equal(info.stderr.mode, 'devnull');
      assert.equal(await p.wait(), 0);
    });
  });

  it('copies a STDOUT stream to the sink, makes reading it an error, and wait() waits for the copy', async () => {
    const copied: string[] = [];
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    await withClient(
      async ({ client }) => {
        const p = await client.exec(['chunks', 'to the sink', 'err:also'], { stdout: StreamType.STDOUT, stderr: StreamType.STDOUT });
        await assert.rejects(
          p.stdout.read(),
          (error) => isProcwireError(error, ErrorCode.InvalidArgument) && /stdout/.test(error.message) && /STDOUT/.test(error.message),
        );
        let waited = false;
        const waiting = p.wait().then((code) => {
          waited = true;
          return code;
        });
        // The sink is held back: wait() must not resolve before the copy finished.
        await new Promise((resolve) => setTimeout(resolve, 50));
        assert.equal(waited, false, 'wait() resolved before the STDOUT copy finished');
        release();
        assert.equal(await waiting, 0);
        assert.deepEqual(copied.sort(), ['also', 'to the sink']);
      },
      {},
      {
        stdoutSink: async (data) => {
          await gate;
          copied.push(new TextDecoder().decode(data));
        },
      },
    );
  });

  it('toReadableStream() delivers the stream and is pull-based', async () => {
    await withClient(
      async ({ client, transport }) => {
        const p = await client.exec(['produce', String(64 * 1024), '1024'], { text: false });
        const stream = p.stdout.toReadableStream();
        const reader = stream.getReader();
        const first = await reader.read();
        assert.equal(first.done, false);
        // Nothing was pulled beyond what we asked for: the host still holds the rest unacknowledged.
        const info = await transport.get({ processId: p.id });
        assert.ok(info.stdout.written - info.stdout.acknowledged > 0, 'the program is held back by the window');
        let total = first.value?.byteLength ?? 0;
        for (;;) {
          const next = await reader.read();
          if (next.done) break;
          total += next.value.byteLength;
        }
        assert.equal(total, 64 * 1024);
        assert.equal(await p.wait(), 0);
      },
      { outputWindowBytes: 4096 },
    );
  });

  it('toReadableStream() of a text reader yields strings, and cancel() ends the read', async () => {
    await withClient(
      async ({ client, transport }) => {
        const p = await client.exec(['chunks', 'one\n', 'two\n', 'three\n'], { byLine: true });
        const reader = p.stdout.toReadableStream().getReader();
        assert.deepEqual(await reader.read(), { done: false, value: 'one\n' });
        await reader.cancel();
        // The program is still blocked on its window: cancelling freed nothing it had not read.
        const info = await transport.get({ processId: p.id });
        assert.equal(info.state, 'running');
        assert.equal(info.stdout.acknowledged, 4);
      },
      { outputWindowBytes: 1 },
    );
  });

  it('breaking out of an iteration ends the read and still counts as the one consumer', async () => {
    await withClient(async ({ client }) => {
      const p = await client.exec(['chunks', 'a\n', 'b\n', 'c\n'], { byLine: true });
      for await (const line of p.stdout) {
        assert.equal(line, 'a\n');
        break;
      }
      await assert.rejects(collect(p.stdout), (error) => isProcwireError(error, ErrorCode.StreamConsumed));
    }, { outputWindowBytes: 1 });
  });
});
