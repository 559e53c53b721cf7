import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Transport } from '@procwire/core';
import { localTransport } from '@procwire/local-pty';
import { encodeFrame, encodeJson, FrameType, serveWebSocket, type WebSocketServerHandle } from '@procwire/websocket';
import { RawClient } from './helpers/raw-client.js';

const token = 'flood-token';
const MiB = 1024 * 1024;

describe('websocket: a client that does not read its answers', () => {
  const host = localTransport();
  // The real host, counting the list calls the server makes on the client's behalf.
  let listCalls = 0;
  const counted: Transport = {
    start: (request, options) => host.start(request, options),
    readOutput: (request, options) => host.readOutput(request, options),
    ackOutput: (request, options) => host.ackOutput(request, options),
    writeInput: (request, options) => host.writeInput(request, options),
    wait: (request, options) => host.wait(request, options),
    poll: (request, options) => host.poll(request, options),
    signal: (request, options) => host.signal(request, options),
    resize: (request, options) => host.resize(request, options),
    get: (request, options) => host.get(request, options),
    list: (options) => {
      listCalls++;
      return host.list(options);
    },
    close: () => host.close(),
  };
  let server: WebSocketServerHandle;

  before(async () => {
    server = await serveWebSocket(counted, { port: 0, tokens: { [token]: 'flood' }, limits: { maxBufferedBytes: 256 * 1024 } });
  });
  after(async () => {
    await server.close();
    await host.close();
  });

  it('makes the server stop reading its calls, and everything is answered once it reads again', { timeout: 90_000 }, async (t) => {
    const raw = await RawClient.connect(server.url, token);
    try {
      // Some processes, so that each List answer is a few KiB.
      for (let i = 0; i < 20; i++) {
        raw.send(encodeFrame({ type: FrameType.Start, callId: 1 + i }, encodeJson({ processId: `flood-${i}`, argv: ['true'] })));
      }
      await raw.until(() => raw.frames.length >= 20, 20_000, 'the starts');

      raw.setReading(false);
      // List calls padded with JSON whitespace to 4 KiB each: 32 MiB of calls in all.
      const padded = new TextEncoder().encode(`{}${' '.repeat(4094)}`);
      const calls = 8192;
      for (let i = 0; i < calls; i++) raw.send(encodeFrame({ type: FrameType.List, callId: 100 + i }, padded));
      // Wait until the server stops taking calls (the count holds still for a second).
      let seen = -1;
      for (let i = 0; i < 60 && listCalls !== seen; i++) {
        seen = listCalls;
        await sleep(1000);
      }
      t.diagnostic(`the server took ${listCalls} of ${calls} calls while the client read nothing`);
      // It stopped once its unread answers piled up, far short of all the calls.
      assert.ok(listCalls < calls / 2, `the server took ${listCalls} of ${calls} calls from a client that reads nothing`);
      assert.ok(raw.bufferedAmount > 8 * MiB, `only ${raw.bufferedAmount} bytes left unsent`);

      raw.setReading(true);
      const answered = () => raw.frames.filter((f) => f.callId >= 100 && f.type === FrameType.Result).length;
      await raw.until(() => answered() === calls, 50_000, 'every List answer');
      assert.equal(raw.bufferedAmount, 0);
    } finally {
      await raw.close();
    }
  });
});
