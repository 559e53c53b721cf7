import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { procwireV1 } from '@procwire/grpc/generated';
import { credentials, Metadata } from '@grpc/grpc-js';
import type { Transport } from '@procwire/core/transport';
import { serveGrpc } from '@procwire/grpc/server';
import { type Stack, startStack } from './support/stack.js';

// The byte path uses hand-written codecs; a generated (ts-proto) client must read and write the same bytes.
test('the hand-written byte-path codecs interoperate with generated clients, offsets past 2^32 included', async () => {
  const stack: Stack = await startStack({ tokens: { 'codec-token': 'heidi' } });
  const raw = new procwireV1.ProcwireClient(stack.address, credentials.createInsecure());
  const metadata = new Metadata();
  metadata.set('authorization', 'Bearer codec-token');
  try {
    const transport = stack.transport({ token: 'codec-token' });
    await transport.start({ processId: 'codec', argv: ['cat'], stdout: 'pipe', stderr: 'pipe' });
    const payload = randomBytes(200_000);
    const written = await new Promise<procwireV1.WriteInputResponse>((resolve, reject) => {
      raw.writeInput({ processId: 'codec', offset: 0, data: payload, eof: true }, metadata, (error, response) =>
        error ? reject(error) : resolve(response),
      );
    });
    assert.deepEqual(written, { offset: payload.byteLength, eof: true });
    const received: Buffer[] = [];
    let expectedOffset = 0;
    for await (const chunk of raw.readOutput({ processId: 'codec', fd: 1, offset: 0 }, metadata) as AsyncIterable<procwireV1.OutputChunk>) {
      assert.equal(chunk.offset, expectedOffset);
      expectedOffset += chunk.data.byteLength;
      received.push(chunk.data);
    }
    assert.ok(Buffer.concat(received).equals(payload));
  } finally {
    raw.close();
    await stack.close();
  }
});

test('offsets past 2^32 survive the hand-written encoder (read by a generated client)', async () => {
  const offsets = [2 ** 32 - 1, 2 ** 32 + 5, 2 ** 53 - 10];
  // A host that has (retained) only these chunks: enough to serve ReadOutput.
  const host = {
    async *readOutput() {
      for (const offset of offsets) yield { offset, data: new Uint8Array([offset % 251]) };
    },
    async close() {},
  } as unknown as Transport;
  const server = await serveGrpc(host, { port: 0 });
  const raw = new procwireV1.ProcwireClient(server.address, credentials.createInsecure());
  try {
    const seen: number[] = [];
    for await (const chunk of raw.readOutput({ processId: 'far', fd: 1, offset: 0 }) as AsyncIterable<procwireV1.OutputChunk>) {
      assert.deepEqual([...chunk.data], [chunk.offset % 251]);
      seen.push(chunk.offset);
    }
    assert.deepEqual(seen, offsets);
  } finally {
    raw.close();
    await server.close();
  }
});

// The server encodes each OutputChunk into one reused buffer (grpc-js copies it into its frame at
// once). Two streams at a time, of chunks that grow and shrink, must still arrive byte for byte.
test('output chunks encoded into the reused buffer arrive intact on concurrent streams', async () => {
  const sizes = [1, 70_000, 300, 1_200_000, 5, 250_000, 64 * 1024, 900_000, 17];
  const chunkAt = (seed: number, index: number) => {
    const data = new Uint8Array(sizes[index % sizes.length]!);
    for (let i = 0; i < data.byteLength; i++) data[i] = (seed * 31 + index * 7 + i) % 251;
    return data;
  };
  const host = {
    async *readOutput(request: { processId: string }) {
      const seed = request.processId === 'a' ? 1 : 2;
      let offset = 0;
      for (let index = 0; index < 60; index++) {
        const data = chunkAt(seed, index);
        yield { offset, data };
        offset += data.byteLength;
      }
    },
    async close() {},
  } as unknown as Transport;
  const server = await serveGrpc(host, { port: 0 });
  const raw = new procwireV1.ProcwireClient(server.address, credentials.createInsecure());
  try {
    const readAll = async (processId: string) => {
      const parts: Uint8Array[] = [];
      for await (const chunk of raw.readOutput({ processId, fd: 1, offset: 0 }) as AsyncIterable<procwireV1.OutputChunk>) {
        parts.push(chunk.data);
      }
      return Buffer.concat(parts);
    };
    const [a, b] = await Promise.all([readAll('a'), readAll('b')]);
    const expected = (seed: number) => Buffer.concat(Array.from({ length: 60 }, (_, index) => chunkAt(seed, index)));
    assert.ok(a.equals(expected(1)), 'stream a differs');
    assert.ok(b.equals(expected(2)), 'stream b differs');
  } finally {
    raw.close();
    await server.close();
  }
});
