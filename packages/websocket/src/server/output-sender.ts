/**
 * Sends frames whose payload is bulk output without copying the payload. `ws.send()` takes one
 * buffer, so header + payload would be joined into a new buffer per frame (a copy of every output
 * byte). Instead, when the socket is plainly reachable, the WebSocket frame header and the
 * procwire header go out as one small buffer and the payload parts as they are, in one corked
 * write (one `writev`): what ws's own Sender does for every unmasked, uncompressed message.
 * Otherwise (another ws version, a sender that is queueing) it falls back to `ws.send()` with one
 * copy.
 */
import type { WebSocket } from 'ws';
import { type FrameHeader, HEADER_BYTES, writeHeader } from '../wire/index.js';

/** The parts of ws internals the fast path relies on (ws 8: `_socket`, `_sender._state`, `_sender._queue`). */
interface WsInternals {
  readonly _socket?: {
    cork(): void;
    uncork(): void;
    write(data: Uint8Array, callback?: (error?: Error | null) => void): boolean;
  } | null;
  readonly _sender?: { readonly _state?: unknown; readonly _queue?: readonly unknown[] };
}

const BINARY_FINAL = 0x82;

function canWriteDirectly(socket: WebSocket): boolean {
  const internals = socket as unknown as WsInternals;
  const raw = internals._socket;
  const sender = internals._sender;
  return (
    socket.readyState === socket.OPEN &&
    raw !== null &&
    typeof raw?.cork === 'function' &&
    sender?._state === 0 &&
    Array.isArray(sender._queue) &&
    sender._queue.length === 0
  );
}

/**
 * Send one binary frame: `header`, then the `parts` one after the other (`payloadBytes` in all)
 * as its payload. `done` runs once the bytes are handed to the OS.
 */
export function sendFrameWithPayload(
  socket: WebSocket,
  header: FrameHeader,
  parts: readonly Uint8Array[],
  payloadBytes: number,
  done: (error?: Error | null) => void,
): void {
  const length = HEADER_BYTES + payloadBytes;
  if (!canWriteDirectly(socket)) {
    const frame = Buffer.allocUnsafe(length);
    writeHeader(frame, header);
    let at = HEADER_BYTES;
    for (const part of parts) {
      frame.set(part, at);
      at += part.byteLength;
    }
    socket.send(frame, { binary: true }, done);
    return;
  }
  const wsHeaderBytes = length < 126 ? 2 : length < 65536 ? 4 : 10;
  const prefix = Buffer.allocUnsafe(wsHeaderBytes + HEADER_BYTES);
  prefix[0] = BINARY_FINAL;
  if (wsHeaderBytes === 2) {
    prefix[1] = length;
  } else if (wsHeaderBytes === 4) {
    prefix[1] = 126;
    prefix.writeUInt16BE(length, 2);
  } else {
    prefix[1] = 127;
    prefix.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
    prefix.writeUInt32BE(length % 2 ** 32, 6);
  }
  writeHeader(prefix.subarray(wsHeaderBytes), header);
  const raw = (socket as unknown as WsInternals)._socket!;
  raw.cork();
  raw.write(prefix);
  const last = parts.length - 1;
  for (let i = 0; i < last; i++) raw.write(parts[i]!);
  raw.write(parts[last]!, done);
  raw.uncork();
}
