/** The raw network baselines: grpc-js server streaming and `ws` frames, from a server child that spawns the same command. */
import * as grpc from '@grpc/grpc-js';
import WebSocket from 'ws';
import { type EchoPlan, EchoProbe, type EchoSamples, sampleEcho } from '../echo-probe.js';
import { rawGrpcService } from '../raw-wire.js';

const RawClient = grpc.makeGenericClientConstructor(rawGrpcService, 'Raw');

/** Stream argv's stdout over raw grpc-js and count the bytes; resolves at the end of the call. */
export function rawGrpcStdoutBytes(address: string, argv: readonly string[], caPem?: string): Promise<number> {
  const credentials = caPem ? grpc.credentials.createSsl(Buffer.from(caPem)) : grpc.credentials.createInsecure();
  const client = new RawClient(address, credentials, { 'grpc.max_receive_message_length': 64 * 1024 * 1024 });
  return new Promise<number>((resolve, reject) => {
    let bytes = 0;
    const call = (client as unknown as { readStdout(request: Buffer): grpc.ClientReadableStream<Buffer> }).readStdout(
      Buffer.from(JSON.stringify(argv)),
    );
    call.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
    });
    call.on('end', () => resolve(bytes));
    call.on('error', reject);
  }).finally(() => client.close());
}

/**
 * Echo latencies (ms) of the raw grpc-js server's terminal relay: one bidirectional stream, a
 * keystroke per request message, the terminal's output as response messages.
 */
export async function rawGrpcEcho(address: string, plan: EchoPlan, caPem?: string): Promise<EchoSamples> {
  const credentials = caPem ? grpc.credentials.createSsl(Buffer.from(caPem)) : grpc.credentials.createInsecure();
  const client = new RawClient(address, credentials);
  const call = (client as unknown as { relayTerminal(): grpc.ClientDuplexStream<Buffer, Buffer> }).relayTerminal();
  const probe = new EchoProbe();
  call.on('data', (data: Buffer) => probe.feed(data));
  const ended = new Promise((resolve) => {
    call.once('error', resolve);
    call.once('end', resolve);
  });
  try {
    return await sampleEcho(probe, (byte) => call.write(Buffer.from(byte.buffer, byte.byteOffset, byte.byteLength)), plan);
  } finally {
    call.cancel();
    await ended;
    client.close();
  }
}

/** Stream argv's stdout over raw `ws` binary frames and count the bytes; resolves at close. */
export function rawWebSocketStdoutBytes(url: string, argv: readonly string[], caPem?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${url}?argv=${encodeURIComponent(JSON.stringify(argv))}`, {
      perMessageDeflate: false,
      ...(caPem ? { ca: caPem } : {}),
    });
    let bytes = 0;
    socket.on('message', (data: Buffer) => {
      bytes += data.length;
    });
    socket.on('close', (code) => (code === 1000 ? resolve(bytes) : reject(new Error(`raw ws closed with ${code}`))));
    socket.on('error', reject);
  });
}

/** Echo latencies (ms) of the raw `ws` server's terminal relay (see `relayTerminal` in server-child.ts). */
export async function rawWebSocketEcho(url: string, plan: EchoPlan, caPem?: string): Promise<EchoSamples> {
  const socket = new WebSocket(`${url}?echo=1`, { perMessageDeflate: false, ...(caPem ? { ca: caPem } : {}) });
  const probe = new EchoProbe();
  socket.on('message', (data: Buffer) => probe.feed(data));
  const closed = new Promise((resolve) => socket.once('close', resolve));
  await new Promise<void>((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  try {
    return await sampleEcho(probe, (byte) => socket.send(byte, { binary: true }), plan);
  } finally {
    socket.close();
    await closed;
  }
}
