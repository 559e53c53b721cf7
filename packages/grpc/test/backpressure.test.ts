import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { credentials } from '@grpc/grpc-js';
import { createClient } from '@procwire/core';
import type { Transport } from '@procwire/core/transport';
import { procwireV1 } from '@procwire/grpc/generated';
import { serveGrpc } from '@procwire/grpc/server';
import { startStack } from './support/stack.js';

test('ReadOutput stops pulling from the transport while the client does not read', { timeout: 30_000 }, async () => {
  // An endless source that counts what the server pulled. (A real host has its own output window,
  // which would hide whether the server itself respects HTTP/2 backpressure.)
  let pulled = 0;
  let stopped = false;
  const chunk = new Uint8Array(64 * 1024);
  const endless = {
    async *readOutput(_request: unknown, options?: { signal?: AbortSignal }) {
      try {
        for (let offset = 0; !options?.signal?.aborted; offset += chunk.byteLength) {
          pulled += chunk.byteLength;
          yield { offset, data: chunk };
        }
      } finally {
        stopped = true;
      }
    },
    async close() {},
  } as unknown as Transport;
  const server = await serveGrpc(endless, { port: 0 });
  const raw = new procwireV1.ProcwireClient(server.address, credentials.createInsecure());
  try {
    const call = raw.readOutput({ processId: 'endless', fd: 1, offset: 0 });
    let received = 0;
    call.on('data', (message: procwireV1.OutputChunk) => {
      received += message.data.byteLength;
      if (received >= 1024 * 1024) call.pause();
    });
    call.on('error', () => {});
    // Wait until the server has stopped pulling: two samples in a row equal.
    let previous = -1;
    for (let sample = 0; sample < 40 && pulled !== previous; sample++) {
      previous = pulled;
      await sleep(250);
    }
    assert.equal(pulled, previous, 'the server stopped pulling');
    assert.ok(pulled < 32 * 1024 * 1024, `pulled ${pulled} bytes while the client read ${received}`);
    call.cancel();
    for (let sample = 0; sample < 40 && !stopped; sample++) await sleep(50);
    assert.ok(stopped, 'cancelling the call ended the transport read');
  } finally {
    raw.close();
    await server.close();
  }
});

test('many processes share one connection', async () => {
  const stack = await startStack({ proxy: true });
  try {
    const client = createClient(stack.transport());
    const outputs = await Promise.all(
      Array.from({ length: 20 }, async (_, index) => {
        const p = await client.exec(['echo', String(index)]);
        return (await p.stdout.read()).trim();
      }),
    );
    assert.deepEqual(outputs, Array.from({ length: 20 }, (_, index) => String(index)));
    assert.equal(stack.proxy!.stats.accepted, 1);
  } finally {
    await stack.close();
  }
});
