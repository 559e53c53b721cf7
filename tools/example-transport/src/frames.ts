// Length-prefixed frames on a byte stream: [u32 rest][u32 JSON length][JSON][bytes]. One Uint8Array
// per message (a chunk's or a write's data) travels raw after the JSON; JSON names it { "$bytes": 1 }.
import type { Socket } from 'node:net';

export function encodeFrame(message: unknown): Buffer {
  let bytes: Uint8Array = new Uint8Array(0);
  // `this[key]`, not `value`: a Buffer's toJSON has already run on `value`.
  const json = Buffer.from(
    JSON.stringify(message, function (this: Record<string, unknown>, key, value) {
      const raw = this[key];
      if (!(raw instanceof Uint8Array)) return value;
      bytes = raw;
      return { $bytes: 1 };
    }),
  );
  const head = Buffer.alloc(8);
  head.writeUInt32BE(4 + json.byteLength + bytes.byteLength, 0);
  head.writeUInt32BE(json.byteLength, 4);
  return Buffer.concat([head, json, bytes]);
}

/** Calls `onMessage` with each decoded frame that arrives on `socket`. */
export function readFrames(socket: Socket, onMessage: (message: never) => void): void {
  let pending: Buffer = Buffer.alloc(0);
  socket.on('data', (data: Buffer) => {
    pending = pending.byteLength === 0 ? data : Buffer.concat([pending, data]);
    while (pending.byteLength >= 4 && pending.byteLength >= 4 + pending.readUInt32BE(0)) {
      const end = 4 + pending.readUInt32BE(0);
      const jsonEnd = 8 + pending.readUInt32BE(4);
      const bytes = new Uint8Array(pending.subarray(jsonEnd, end));
      const text = pending.toString('utf8', 8, jsonEnd);
      pending = pending.subarray(end);
      onMessage(JSON.parse(text, (_key, value) => (value?.$bytes === 1 ? bytes : value)) as never);
    }
  });
}
