/** The raw grpc-js baselines: server streaming of a process's stdout, and a terminal relay, from the raw server child. */
import * as grpc from '@grpc/grpc-js';
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
