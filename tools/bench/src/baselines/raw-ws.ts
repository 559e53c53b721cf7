/** The raw `ws` baselines: a process's stdout as binary frames, and a terminal relay, from the raw server child. */
import WebSocket from 'ws';
import { type EchoPlan, EchoProbe, type EchoSamples, sampleEcho } from '../echo-probe.js';

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
