import assert from 'node:assert/strict';
import { test } from 'node:test';
import { credentials } from '@grpc/grpc-js';
import { procwireV1 } from '@procwire/grpc/generated';
import { serveGrpc } from '@procwire/grpc/server';
import { isProcwireError } from '@procwire/core';
import { startStack } from './support/stack.js';

const count = 300_000;
const expected = Array.from({ length: count }, (_, index) => `${index + 1}\n`).join('');

// Output the host already holds (the process has exited, so its ~2 MB sit in the host's window)
// must go out as full messages: many small pipe reads joined, nothing lost, repeated or reordered.
for (const limit of [1024 * 1024, 100_000]) {
  test(`held output arrives in messages of maxOutputChunkBytes (${limit}), contiguous and complete`, async () => {
    const stack = await startStack({ limits: { maxOutputChunkBytes: limit } });
    const raw = new procwireV1.ProcwireClient(stack.address, credentials.createInsecure());
    try {
      const transport = stack.transport();
      await transport.start({ processId: 'seq', argv: ['seq', String(count)], stdout: 'pipe', stderr: 'pipe' });
      assert.equal((await transport.wait({ processId: 'seq' })).code, 0);
      const sizes: number[] = [];
      const parts: Buffer[] = [];
      let offset = 0;
      for await (const chunk of raw.readOutput({ processId: 'seq', fd: 1, offset: 0 }) as AsyncIterable<procwireV1.OutputChunk>) {
        assert.equal(chunk.offset, offset, 'each message starts where the previous one ended');
        offset += chunk.data.byteLength;
        sizes.push(chunk.data.byteLength);
        parts.push(chunk.data);
      }
      assert.equal(Buffer.concat(parts).toString(), expected);
      const total = Buffer.byteLength(expected);
      const full = Math.floor(total / limit);
      assert.deepEqual(sizes.slice(0, full), Array(full).fill(limit), 'every message but the last is full');
      assert.ok(sizes.length <= full + 1, `${sizes.length} messages for ${total} bytes at ${limit} per message`);
    } finally {
      raw.close();
      await stack.close();
    }
  });
}

test('a maxOutputChunkBytes that is not a positive integer is refused with invalid_argument', async () => {
  for (const bad of [0, -1, 1.5]) {
    await assert.rejects(
      () => serveGrpc({} as never, { port: 0, limits: { maxOutputChunkBytes: bad } }),
      (error: unknown) =>
        isProcwireError(error, 'invalid_argument') && /maxOutputChunkBytes/.test(error.message),
    );
  }
});
