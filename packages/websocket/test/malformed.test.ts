import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { localTransport } from '@procwire/local-pty';
import {
  CloseCode,
  decodeError,
  encodeAddressedFrame,
  encodeFrame,
  encodeJson,
  type Frame,
  FrameType,
  serveWebSocket,
  type WebSocketServerHandle,
} from '@procwire/websocket';
import { RawClient } from './helpers/raw-client.js';

const token = 'bad-frames-token';

describe('websocket: bad frames get clear errors and the connection goes on', () => {
  const host = localTransport();
  let server: WebSocketServerHandle;
  let raw: RawClient;

  before(async () => {
    server = await serveWebSocket(host, {
      port: 0,
      tokens: { [token]: 'bad' },
      limits: { maxFrameBytes: 4096, maxCallsPerConnection: 2 },
    });
    raw = await RawClient.connect(server.url, token);
  });
  after(async () => {
    await raw.close();
    await server.close();
    await host.close();
  });

  /** Send a frame and return the next terminal frame naming `callId`. */
  async function answerTo(frame: Uint8Array | string, callId: number): Promise<Frame> {
    const from = raw.frames.length;
    raw.send(frame);
    const match = () => raw.frames.slice(from).find((f) => f.callId === callId && f.type !== FrameType.Output);
    await raw.until(() => match() !== undefined, 10_000, `an answer to call ${callId}`);
    return match()!;
  }

  async function expectError(frame: Uint8Array, callId: number, code: string, message: RegExp): Promise<void> {
    const answer = await answerTo(frame, callId);
    assert.equal(answer.type, FrameType.Error);
    const error = decodeError(answer.payload);
    assert.equal(error.code, code);
    assert.match(error.message, message);
  }

  it('answers a frame shorter than the header with call id 0', async () => {
    await expectError(new Uint8Array([1, 2, 3]), 0, 'invalid_argument', /shorter than the 16-byte header/);
  });

  it('names an unknown type, a non-zero reserved byte and call id 0', async () => {
    const unknown = encodeFrame({ type: FrameType.List, callId: 7 });
    unknown[0] = 0x3f;
    await expectError(unknown, 7, 'invalid_argument', /unknown frame type 0x3f/);
    const reserved = encodeFrame({ type: FrameType.List, callId: 8 });
    reserved[3] = 1;
    await expectError(reserved, 8, 'invalid_argument', /reserved header byte/);
    const zero = encodeFrame({ type: FrameType.List, callId: 0 });
    await expectError(zero, 0, 'invalid_argument', /call id 0 is reserved/);
  });

  it('names bad JSON, a bad process id, a bad signal and a bad fd', async () => {
    await expectError(encodeFrame({ type: FrameType.Start, callId: 9 }, new TextEncoder().encode('{nope')), 9, 'invalid_argument', /not valid UTF-8 JSON/);
    await expectError(
      encodeFrame({ type: FrameType.Start, callId: 10 }, encodeJson({ processId: 'bad id!', argv: ['true'] })),
      10,
      'invalid_argument',
      /process id must be/,
    );
    await expectError(
      encodeFrame({ type: FrameType.Signal, callId: 11 }, encodeJson({ processId: 'p', signal: 'TERM' })),
      11,
      'invalid_argument',
      /signal must be a name like "SIGTERM"/,
    );
    const { frame } = encodeAddressedFrame({ type: FrameType.Ack, callId: 12, fd: 3 }, 'p', 0);
    await expectError(frame, 12, 'invalid_argument', /fd must be 1 \(stdout\) or 2 \(stderr\)/);
  });

  it('answers an unknown process with not_found and an empty argv with invalid_argument', async () => {
    await expectError(encodeFrame({ type: FrameType.Wait, callId: 13 }, encodeJson({ processId: 'nobody' })), 13, 'not_found', /nobody|not found|no process/i);
    await expectError(encodeFrame({ type: FrameType.Start, callId: 14 }, encodeJson({ processId: 'e', argv: [] })), 14, 'invalid_argument', /argv/);
  });

  it('answers resource_exhausted past maxCallsPerConnection', async () => {
    const start = (callId: number, processId: string) =>
      encodeFrame({ type: FrameType.Start, callId }, encodeJson({ processId, argv: ['sleep', '30'] }));
    await answerTo(start(20, 'sleeper'), 20);
    const wait = (callId: number) => encodeFrame({ type: FrameType.Wait, callId }, encodeJson({ processId: 'sleeper' }));
    raw.send(wait(21));
    raw.send(wait(22));
    await expectError(wait(23), 23, 'resource_exhausted', /too many calls in flight on this connection: the limit is 2/);
    // Cancelling frees the slots: each cancelled call answers aborted.
    await expectError(encodeFrame({ type: FrameType.Cancel, callId: 21 }), 21, 'aborted', /cancelled/);
    await expectError(encodeFrame({ type: FrameType.Cancel, callId: 22 }), 22, 'aborted', /cancelled/);
    const signal = await answerTo(encodeFrame({ type: FrameType.Signal, callId: 24 }, encodeJson({ processId: 'sleeper', signal: 'SIGKILL' })), 24);
    assert.equal(signal.type, FrameType.Result);
  });

  it('still answers a good call after all that', async () => {
    const answer = await answerTo(encodeFrame({ type: FrameType.List, callId: 30 }), 30);
    assert.equal(answer.type, FrameType.Result);
    assert.ok(Array.isArray(JSON.parse(new TextDecoder().decode(answer.payload))));
  });

  it('closes with 1003 on a text frame and 1009 on a frame over maxFrameBytes', async () => {
    const text = await RawClient.connect(server.url, token);
    text.send('hello');
    assert.equal((await text.closed).code, CloseCode.UnsupportedData);
    const big = await RawClient.connect(server.url, token);
    big.send(new Uint8Array(4097));
    assert.equal((await big.closed).code, CloseCode.MessageTooBig);
  });
});
