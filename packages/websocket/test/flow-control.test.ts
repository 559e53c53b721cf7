import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient } from '@procwire/core';
import { localTransport } from '@procwire/local-pty';
import {
  encodeAddressedFrame,
  encodeFrame,
  encodeJson,
  FrameType,
  serveWebSocket,
  type WebSocketServerHandle,
  websocketTransport,
} from '@procwire/websocket';
import { RawClient } from './helpers/raw-client.js';

const KiB = 1024;
const token = 'flow-token';

function readFrame(callId: number, processId: string, offset: number, window: number): Uint8Array {
  const { frame, rest } = encodeAddressedFrame({ type: FrameType.Read, callId, fd: 1, offset }, processId, 4);
  new DataView(rest.buffer, rest.byteOffset, 4).setUint32(0, window);
  return frame;
}

describe('websocket flow control', () => {
  const host = localTransport();
  let server: WebSocketServerHandle;

  before(async () => {
    server = await serveWebSocket(host, { host: '127.0.0.1', port: 0, tokens: { [token]: 'flow' } });
  });
  after(async () => {
    await server.close();
    await host.close();
  });

  it('sends no more output than the read window until the client grants credit', async () => {
    const raw = await RawClient.connect(server.url, token);
    try {
      raw.send(
        encodeFrame(
          { type: FrameType.Start, callId: 1 },
          encodeJson({ processId: 'flow-1', argv: ['head', '-c', String(4 * 1024 * KiB), '/dev/zero'] }),
        ),
      );
      await raw.until(() => raw.frames.some((f) => f.callId === 1), 10_000, 'the start result');
      assert.equal(raw.frames.find((f) => f.callId === 1)?.type, FrameType.Result);

      const received = () =>
        raw.frames.filter((f) => f.callId === 2 && f.type === FrameType.Output).reduce((n, f) => n + f.payload.byteLength, 0);
      raw.send(readFrame(2, 'flow-1', 0, 64 * KiB));
      await raw.until(() => received() >= 64 * KiB, 10_000, 'a window of output');
      await sleep(300);
      assert.equal(received(), 64 * KiB, 'the server sent past the window without credit');

      raw.send(encodeFrame({ type: FrameType.Credit, callId: 2, offset: 32 * KiB }));
      await raw.until(() => received() >= 96 * KiB, 10_000, 'output after credit');
      await sleep(300);
      assert.equal(received(), 96 * KiB, 'credit to 32 KiB with a 64 KiB window allows exactly 96 KiB');

      raw.send(encodeFrame({ type: FrameType.Cancel, callId: 2 }));
      await raw.until(() => raw.frames.some((f) => f.callId === 2 && f.type === FrameType.Error), 10_000, 'the cancel');
    } finally {
      await raw.close();
    }
  });

  it('completes a large read through a small client window (credit keeps flowing)', async () => {
    const client = createClient(websocketTransport({ url: server.url, token, readWindowBytes: 16 * KiB }));
    try {
      const p = await client.exec(['head', '-c', String(8 * 1024 * KiB), '/dev/zero'], { text: false });
      let total = 0;
      for await (const chunk of p.stdout) total += chunk.byteLength;
      assert.equal(total, 8 * 1024 * KiB);
      assert.equal(await p.wait(), 0);
    } finally {
      await client.close();
    }
  });
});
