/**
 * Echo latency of procwire next to its raw relay, in ONE client process: a relay session and a
 * procwire session (each on a server child of its own, with the same Node flags) take turns, a
 * block of round trips each, so both meet the same moments of a shared machine. Per block: the
 * percentiles, and the CPU the client and the subject's server spent; at the end, the steady
 * blocks (the second half) pooled. A diagnostic beside the bench's echo-latency rows (Linux only:
 * it reads /proc for CPU time).
 *
 *   node tools/bench/dist/echo-side-by-side.js [--transport ws|grpc] [--blocks 14] [--samples 1000]
 *     [--server-node-flags '--initial-old-space-size=64 --min-semi-space-size=16']
 */
import * as grpc from '@grpc/grpc-js';
import { serverNodeFlags } from 'procwire-server/node-flags';
import WebSocket from 'ws';
import { EchoProbe } from './echo-probe.js';
import { parseNodeFlags } from './options.js';
import { cpuMs } from './proc-cpu.js';
import { benchToken, loadProcwire } from './procwire.js';
import { openEchoTerminal } from './procwire-ops.js';
import { rawGrpcService } from './raw-wire.js';
import { ServerProcess } from './server-process.js';
import { percentile } from './stats.js';

function flag(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? (process.argv[at + 1] ?? fallback) : fallback;
}

/** One echo session: how to send a keystroke, its probe, and the server child behind it. */
interface Session {
  readonly name: string;
  readonly probe: EchoProbe;
  readonly send: (byte: Uint8Array) => void;
  readonly server: ServerProcess;
  close(): Promise<void>;
}

async function relaySession(grpcRelay: boolean, nodeFlags: readonly string[]): Promise<Session> {
  const server = await ServerProcess.start(grpcRelay ? 'raw-grpc' : 'raw-ws', nodeFlags);
  const probe = new EchoProbe();
  if (grpcRelay) {
    const RawClient = grpc.makeGenericClientConstructor(rawGrpcService, 'Raw');
    const client = new RawClient(server.address!, grpc.credentials.createInsecure());
    const call = (client as unknown as { relayTerminal(): grpc.ClientDuplexStream<Buffer, Buffer> }).relayTerminal();
    call.on('data', (data: Buffer) => probe.feed(data));
    call.on('error', () => {});
    return {
      name: 'raw grpc-js relay',
      probe,
      send: (byte) => call.write(Buffer.from(byte.buffer, byte.byteOffset, byte.byteLength)),
      server,
      close: async () => {
        call.cancel();
        client.close();
        await server.stop();
      },
    };
  }
  const socket = new WebSocket(`${server.url}?echo=1`, { perMessageDeflate: false });
  socket.on('message', (data: Buffer) => probe.feed(data));
  await new Promise<void>((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  return {
    name: 'raw ws relay',
    probe,
    send: (byte) => socket.send(byte, { binary: true }),
    server,
    close: async () => {
      socket.close();
      await server.stop();
    },
  };
}

async function procwireSession(overGrpc: boolean, nodeFlags: readonly string[]): Promise<Session> {
  const server = await ServerProcess.start(overGrpc ? 'procwire-grpc' : 'procwire-ws', nodeFlags);
  const procwire = await loadProcwire();
  const client = overGrpc
    ? procwire.createClient!(procwire.grpcTransport!({ address: server.address, token: benchToken }))
    : procwire.createClient!(procwire.websocketTransport!({ url: server.url, token: benchToken }));
  const terminal = await openEchoTerminal(client);
  return {
    name: overGrpc ? 'procwire grpc' : 'procwire websocket',
    probe: terminal.probe,
    send: terminal.send,
    server,
    close: async () => {
      await terminal.close();
      await client.close();
      await server.stop();
    },
  };
}

const summary = (latencies: readonly number[], percentiles: readonly number[]) =>
  percentiles.map((p) => `p${p} ${percentile(latencies, p).toFixed(3)}`).join(' ');

async function main(): Promise<void> {
  const overGrpc = flag('transport', 'ws') === 'grpc';
  const blocks = Number(flag('blocks', '14'));
  const samples = Number(flag('samples', '1000'));
  const nodeFlags = parseNodeFlags(flag('server-node-flags', serverNodeFlags.join(' ')));
  const sessions = [await relaySession(overGrpc, nodeFlags), await procwireSession(overGrpc, nodeFlags)];
  for (const session of sessions) await session.probe.whenReady();
  const steady = new Map(sessions.map((session) => [session, [] as number[]]));
  const steadyCpu = new Map(sessions.map((session) => [session, { client: 0, server: 0 }]));
  console.log(`echo-side-by-side: ${blocks} blocks of ${samples} round trips per session; server Node flags: ${nodeFlags.join(' ') || 'none'}`);
  for (let block = 0; block < blocks; block++) {
    // Alternate which session goes first, so neither always follows the other.
    const order = block % 2 === 0 ? sessions : [...sessions].reverse();
    const parts: string[] = [];
    for (const session of order) {
      const clientBefore = cpuMs(process.pid);
      const serverBefore = cpuMs(session.server.pid);
      const latencies: number[] = [];
      for (let i = 0; i < samples; i++) latencies.push(await session.probe.roundTrip(session.send, 0x61 + (i % 26)));
      const clientCpu = cpuMs(process.pid) - clientBefore;
      const serverCpu = cpuMs(session.server.pid) - serverBefore;
      if (block >= blocks / 2) {
        steady.get(session)!.push(...latencies);
        const cpu = steadyCpu.get(session)!;
        cpu.client += clientCpu;
        cpu.server += serverCpu;
      }
      parts.push(`${session.name}: ${summary(latencies, [50, 99])} cpu client ${clientCpu.toFixed(0)} server ${serverCpu.toFixed(0)}`);
    }
    console.log(`block ${String(block).padStart(2)} | ${parts.join(' | ')}`);
  }
  const steadyBlocks = blocks - Math.ceil(blocks / 2);
  console.log(`steady state (the last ${steadyBlocks} blocks), ms; CPU in us per round trip:`);
  for (const session of sessions) {
    const cpu = steadyCpu.get(session)!;
    const perEcho = (ms: number) => ((ms * 1000) / (steadyBlocks * samples)).toFixed(0);
    console.log(
      `  ${session.name.padEnd(20)} ${summary(steady.get(session)!, [50, 90, 99, 99.5])} | cpu client ${perEcho(cpu.client)} server ${perEcho(cpu.server)}`,
    );
  }
  const [relay, procwire] = sessions.map((session) => percentile(steady.get(session)!, 99));
  console.log(`  p99 ratio (procwire / relay): ${(procwire! / relay!).toFixed(2)}x`);
  for (const session of sessions) await session.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
