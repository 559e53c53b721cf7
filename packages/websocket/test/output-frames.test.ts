import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { localTransport } from '@procwire/local-pty';
import {
  encodeAddressedFrame,
  encodeFrame,
  encodeJson,
  FrameType,
  serveWebSocket,
  type WebSocketServerHandle,
} from '@procwire/websocket';
import { RawClient } from './helpers/raw-client.js';

const KiB = 1024;
const token = 'frames-token';
/** Node reads a pipe in pieces of at most 64 KiB: a larger Output frame joins several reads. */
const PIPE_READ_BYTES = 64 * KiB;
/** The most payload an Output frame carries (PROTOCOL-websocket.md). */
const MAX_OUTPUT_PAYLOAD = 256 * KiB;

function expectedSeq(last: number): string {
  const lines: string[] = [];
  for (let i = 1; i <= last; i++) lines.push(`${i}\n`);
  return lines.join('');
}

describe('websocket output frames', () => {
  const host = localTransport();
  let server: WebSocketServerHandle;

  before(async () => {
    server = await serveWebSocket(host, { host: '127.0.0.1', port: 0, tokens: { [token]: 'frames' } });
  });
  after(async () => {
    await server.close();
    await host.close();
  });

  it('joins output that is ready at once into frames of up to 256 KiB, in order, nothing lost', async () => {
    const raw = await RawClient.connect(server.url, token);
    try {
      const processId = 'frames-1';
      raw.send(encodeFrame({ type: FrameType.Start, callId: 1 }, encodeJson({ processId, argv: ['seq', '1', '300000'] })));
      // As PROTOCOL-websocket.md asks: the process exists once its Start answered.
      await raw.until(() => raw.frames.some((f) => f.callId === 1), 20_000, 'the start');
      assert.equal(raw.frames.find((f) => f.callId === 1)?.type, FrameType.Result);
      // Wait for the exit first, so that every byte is already held by the host when the read starts.
      raw.send(encodeFrame({ type: FrameType.Wait, callId: 2 }, encodeJson({ processId })));
      await raw.until(() => raw.frames.some((f) => f.callId === 2), 20_000, 'the exit');
      assert.equal(raw.frames.find((f) => f.callId === 2)?.type, FrameType.Result);

      const { frame, rest } = encodeAddressedFrame({ type: FrameType.Read, callId: 3, fd: 1, offset: 0 }, processId, 4);
      new DataView(rest.buffer, rest.byteOffset, 4).setUint32(0, 4 * 1024 * KiB);
      raw.send(frame);
      await raw.until(() => raw.frames.some((f) => f.callId === 3 && f.type !== FrameType.Output), 20_000, 'the end of output');

      const frames = raw.frames.filter((f) => f.callId === 3);
      const end = frames.at(-1)!;
      assert.equal(end.type, FrameType.End);
      const outputs = frames.slice(0, -1);
      let offset = 0;
      for (const output of outputs) {
        assert.equal(output.type, FrameType.Output);
        assert.equal(output.offset, offset, 'each Output frame starts where the previous one ended');
        assert.ok(output.payload.byteLength > 0 && output.payload.byteLength <= MAX_OUTPUT_PAYLOAD);
        offset += output.payload.byteLength;
      }
      assert.equal(end.offset, offset);
      const text = Buffer.concat(outputs.map((f) => f.payload)).toString('latin1');
      assert.equal(text, expectedSeq(300000));
      const largest = Math.max(...outputs.map((f) => f.payload.byteLength));
      assert.ok(largest > PIPE_READ_BYTES, `the largest frame carried ${largest} bytes: pipe reads were not joined`);
    } finally {
      await raw.close();
    }
  });
});
