import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Transport } from '@procwire/core/transport';
import { localTransport } from '@procwire/local-pty';
import { nextId, pipeRequest } from './helpers.js';

describe('CallOptions.signal abandons the call, never the process', () => {
  let transport: Transport;
  before(() => {
    transport = localTransport();
  });
  after(async () => {
    await transport.close();
  });

  test('an aborted wait() rejects with aborted and the process runs on', async () => {
    const processId = nextId();
    await transport.start(pipeRequest(processId, ['cat']));
    const controller = new AbortController();
    const waiting = transport.wait({ processId }, { signal: controller.signal });
    controller.abort();
    await assert.rejects(waiting, { code: 'aborted' });
    assert.equal((await transport.get({ processId })).state, 'running');
    await assert.rejects(transport.poll({ processId }, { signal: controller.signal }), { code: 'aborted' });
    await transport.writeInput({ processId, offset: 0, data: new Uint8Array(0), eof: true });
    assert.deepEqual(await transport.wait({ processId }), { code: 0 });
  });

  test('an aborted read rejects with aborted; reading again from the same offset loses nothing', async () => {
    const processId = nextId();
    await transport.start(pipeRequest(processId, ['cat']));
    const controller = new AbortController();
    const reading = (async () => {
      for await (const _ of transport.readOutput({ processId, fd: 1, offset: 0 }, { signal: controller.signal })) {
        // Nothing is written before the abort.
      }
    })();
    controller.abort();
    await assert.rejects(reading, { code: 'aborted' });
    await transport.writeInput({ processId, offset: 0, data: new TextEncoder().encode('after'), eof: true });
    await transport.wait({ processId });
    const parts: Uint8Array[] = [];
    for await (const chunk of transport.readOutput({ processId, fd: 1, offset: 0 })) parts.push(chunk.data);
    assert.equal(Buffer.concat(parts).toString(), 'after');
  });
});
