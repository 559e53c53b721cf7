import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decodeAddressed,
  decodeFrame,
  encodeAddressedFrame,
  encodeFrame,
  FrameFlag,
  FrameType,
  HEADER_BYTES,
  tokenSubprotocol,
} from '@procwire/websocket';

describe('procwire.v1 codec', () => {
  it('round-trips every header field, offsets past 2^32 included', () => {
    const offset = 2 ** 40 + 12345;
    const frame = encodeFrame(
      { type: FrameType.Write, flags: FrameFlag.Eof, fd: 0, callId: 0xfffffffe, offset },
      new Uint8Array([9, 8, 7]),
    );
    assert.equal(frame.byteLength, HEADER_BYTES + 3);
    const decoded = decodeFrame(frame);
    assert.equal(decoded.type, FrameType.Write);
    assert.equal(decoded.flags, FrameFlag.Eof);
    assert.equal(decoded.callId, 0xfffffffe);
    assert.equal(decoded.offset, offset);
    assert.deepEqual([...decoded.payload], [9, 8, 7]);
  });

  it('lays the header out big-endian as the protocol document shows', () => {
    const frame = encodeFrame({ type: FrameType.Read, fd: 1, callId: 2, offset: 3 });
    assert.equal(Buffer.from(frame).toString('hex'), '02000100' + '00000002' + '00000000' + '00000003');
  });

  it('rejects offsets past 2^53 - 1', () => {
    const frame = encodeFrame({ type: FrameType.Credit, callId: 1 });
    frame[8] = 0x00;
    frame[9] = 0x20; // high word 2^21: offset 2^53
    assert.throws(() => decodeFrame(frame), /offset is past 2\^53 - 1/);
  });

  it('puts the process id in front of the rest of an addressed payload', () => {
    const { frame, rest } = encodeAddressedFrame({ type: FrameType.Write, callId: 5 }, 'proc-1', 2);
    rest.set([0xaa, 0xbb]);
    const decoded = decodeAddressed(decodeFrame(frame).payload);
    assert.equal(decoded.processId, 'proc-1');
    assert.deepEqual([...decoded.rest], [0xaa, 0xbb]);
  });

  it('decodes ids that follow each other, however alike, each as itself', () => {
    // The decoder remembers the last id: a same-length id differing in one byte, an id that is a
    // prefix of the last one, and a bad id of the same length must not come back as the last one.
    const ids = ['proc-1', 'proc-2', 'proc-2', 'proc-', 'proc-22', 'proc-1', 'a', 'proc-1'];
    for (const id of ids) {
      const { frame, rest } = encodeAddressedFrame({ type: FrameType.Write, callId: 1 }, id, 1);
      rest[0] = id.length;
      const decoded = decodeAddressed(decodeFrame(frame).payload);
      assert.equal(decoded.processId, id);
      assert.deepEqual([...decoded.rest], [id.length]);
    }
    const bad = encodeAddressedFrame({ type: FrameType.Write, callId: 1 }, 'proc 1', 0).frame;
    assert.throws(() => decodeAddressed(decodeFrame(bad).payload), /process id must be/);
    const nonAscii = encodeAddressedFrame({ type: FrameType.Write, callId: 1 }, 'proc-é', 0).frame;
    assert.equal(decodeFrame(nonAscii).payload[0], 7, 'a non-ASCII id goes as UTF-8');
    assert.throws(() => decodeAddressed(decodeFrame(nonAscii).payload), /process id must be/);
    assert.equal(decodeAddressed(decodeFrame(encodeAddressedFrame({ type: FrameType.Ack, callId: 2 }, 'proc-1', 0).frame).payload).processId, 'proc-1');
  });

  it('encodes a browser token as base64url without padding', () => {
    assert.equal(tokenSubprotocol('s3cret'), 'procwire.token.czNjcmV0');
    assert.equal(tokenSubprotocol('a?>'), 'procwire.token.YT8-');
  });
});
