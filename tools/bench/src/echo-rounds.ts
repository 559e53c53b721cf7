/**
 * Echo latency round by round in ONE terminal session, with the CPU time each process spent per
 * round: how a session settles as the JIT warms up, and what one keystroke costs the client and
 * the server. A diagnostic beside the bench (Linux only: it reads /proc).
 *
 *   node tools/bench/dist/echo-rounds.js [--transport ws|grpc|local] [--rounds 12] [--samples 1000]
 *     [--server-node-flags '--initial-old-space-size=64 --trace-gc']
 *
 * The server child runs with procwire-server's Node flags unless `--server-node-flags` says
 * otherwise (space-separated; '' for none), as in the bench.
 * Each line: p50/p99/max of the round's round trips, then the milliseconds of CPU the client
 * (this process, all threads), the server child and the `cat` used during the round.
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { Client } from '@procwire/core';
import { parseNodeFlags } from './options.js';
import { serverNodeFlags } from 'procwire-server/node-flags';
import { benchToken, hostOptions, loadProcwire } from './procwire.js';
import { openEchoTerminal } from './procwire-ops.js';
import { ServerProcess } from './server-process.js';
import { cpuMs } from './proc-cpu.js';
import { percentile } from './stats.js';

function flag(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? (process.argv[at + 1] ?? fallback) : fallback;
}

/** The newest descendant of `pid` (the terminal's `cat`, through the shell's exec). */
function newestDescendant(pid: number): number | undefined {
  let newest: number | undefined;
  const visit = (parent: number) => {
    for (const tid of readdirSync(`/proc/${parent}/task`)) {
      const children = readFileSync(`/proc/${parent}/task/${tid}/children`, 'utf8').trim();
      for (const child of children === '' ? [] : children.split(' ').map(Number)) {
        if (newest === undefined || child > newest) newest = child;
        visit(child);
      }
    }
  };
  visit(pid);
  return newest;
}

async function main(): Promise<void> {
  const transport = flag('transport', 'ws');
  const rounds = Number(flag('rounds', '12'));
  const samples = Number(flag('samples', '1000'));
  const nodeFlags = parseNodeFlags(flag('server-node-flags', serverNodeFlags.join(' ')));
  const procwire = await loadProcwire();
  const { createClient } = procwire;
  if (createClient === undefined) throw new Error(procwire.missing['createClient']);
  let server: ServerProcess | undefined;
  let client: Client;
  if (transport === 'local') {
    client = createClient(procwire.localTransport!(hostOptions()));
  } else {
    server = await ServerProcess.start(transport === 'grpc' ? 'procwire-grpc' : 'procwire-ws', nodeFlags);
    const make = transport === 'grpc' ? procwire.grpcTransport! : procwire.websocketTransport!;
    client = createClient(make(transport === 'grpc' ? { address: server.address, token: benchToken } : { url: server.url, token: benchToken }));
  }
  const terminal = await openEchoTerminal(client);
  const { probe } = terminal;
  await probe.whenReady();
  const cat = newestDescendant(server?.pid ?? process.pid);
  console.log(`echo-rounds: ${transport}, ${rounds} rounds of ${samples} round trips in one session; CPU ms per round`);
  for (let round = 0; round < rounds; round++) {
    const before = [cpuMs(process.pid), cpuMs(server?.pid), cpuMs(cat)];
    const latencies: number[] = [];
    for (let i = 0; i < samples; i++) latencies.push(await probe.roundTrip(terminal.send, 0x61 + (i % 26)));
    const after = [cpuMs(process.pid), cpuMs(server?.pid), cpuMs(cat)];
    const [clientMs, serverMs, catMs] = after.map((value, i) => (value - before[i]!).toFixed(0));
    console.log(
      `round ${String(round).padStart(2)}: p50 ${percentile(latencies, 50).toFixed(3)} p99 ${percentile(latencies, 99).toFixed(3)} max ${Math.max(...latencies).toFixed(2)} ms | cpu client ${clientMs} server ${serverMs} cat ${catMs}`,
    );
  }
  await terminal.close();
  await client.close();
  await server?.stop();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
