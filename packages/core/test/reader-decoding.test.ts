import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode, isProcwireError } from '@procwire/core';
import { collect, withClient } from './harness.js';

// A 1-byte window makes the program wait for each chunk to be taken before it writes the next,
// so the reader sees exactly the chunks the program wrote (no coalescing at the host).
const oneChunkAtATime = { outputWindowBytes: 1 };

describe('StreamReader decoding', () => {
  it('keeps a UTF-8 character whole when its bytes arrive in separate chunks', async () => {
    await withClient(async ({ client }) => {
      const raw = await client.exec(['chunks', 'hex:e282', 'hex:ac', 'hex:f09f', 'hex:9880', '!'], { text: false });
      const rawChunks = await collect(raw.stdout);
      assert.deepEqual(
        rawChunks.map((chunk) => Buffer.from(chunk).toString('hex')),
        ['e282', 'ac', 'f09f', '9880', '21'],
        'the host delivered the bytes split as written',
      );
      const text = await client.exec(['chunks', 'hex:e282', 'hex:ac', 'hex:f09f', 'hex:9880', '!']);
      const pieces = await collect(text.stdout);
      assert.equal(pieces.join(''), '\u20ac\u{1F600}!');
      assert.ok(pieces.every((piece) => !piece.includes('\uFFFD')), `no replacement character in ${JSON.stringify(pieces)}`);
    }, oneChunkAtATime);
  });

  it('turns invalid bytes into U+FFFD instead of throwing', async () => {
    await withClient(async ({ client }) => {
      const p = await client.exec(['chunks', 'hex:ff', 'ok', 'hex:c3']);
      assert.equal(await p.stdout.read(), '\uFFFDok\uFFFD');
      assert.equal(await p.wait(), 0);
    }, oneChunkAtATime);
  });

  it('keeps a leading byte-order mark: the text is what the process wrote', async () => {
    await withClient(async ({ client }) => {
      const p = await client.exec(['chunks', 'hex:efbbbf', 'x']);
      assert.equal(await p.stdout.read(), '\uFEFFx');
    });
  });

  it('byLine yields lines that keep their newline, joined across chunks', async () => {
    await withClient(async ({ client }) => {
      const p = await client.exec(['chunks', 'a\nb', 'c\n', 'd\n\n', 'hex:c3', 'hex:a90a'], { byLine: true });
      assert.deepEqual(await collect(p.stdout), ['a\n', 'bc\n', 'd\n', '\n', '\u00e9\n']);
    }, oneChunkAtATime);
  });

  it('byLine yields a last partial line at EOF', async () => {
    await withClient(async ({ client }) => {
      const p = await client.exec(['chunks', 'x\ny', 'z'], { byLine: true });
      assert.deepEqual(await collect(p.stdout), ['x\n', 'yz']);
    }, oneChunkAtATime);
  });

  it('byLine with text: false is an invalid_argument error at exec', async () => {
    await withClient(async ({ client }) => {
      await assert.rejects(
        client.exec(['echo'], { text: false, byLine: true } as never),
        (error) => isProcwireError(error, ErrorCode.InvalidArgument) && /byLine/.test(error.message),
      );
      assert.deepEqual(await client.list(), [], 'nothing was started');
    });
  });

  it('bytes mode yields Uint8Arrays and read() joins them', async () => {
    await withClient(async ({ client }) => {
      const p = await client.exec(['chunks', 'hex:00ff', 'hex:80'], { text: false });
      const all = await p.stdout.read();
      assert.ok(all instanceof Uint8Array);
      assert.deepEqual([...all], [0x00, 0xff, 0x80]);
    }, oneChunkAtATime);
  });

  it('keeps stdout and stderr apart', async () => {
    await withClient(async ({ client }) => {
      const p = await client.exec(['chunks', 'out1 ', 'err:err1 ', 'out2', 'err:err2']);
      const [out, err] = await Promise.all([p.stdout.read(), p.stderr.read()]);
      assert.equal(out, 'out1 out2');
      assert.equal(err, 'err1 err2');
      assert.equal(p.stdout.fileDescriptor, 1);
      assert.equal(p.stderr.fileDescriptor, 2);
    });
  });
});
