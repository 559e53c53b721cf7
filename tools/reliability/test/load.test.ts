/**
 * Load: 200 clients at once (100 over gRPC, 100 over WebSocket), each running 20 processes, against
 * one server process serving one `localTransport()`. Every process echoes a tag unique to its client
 * and index and exits with a code derived from it, so a lost or mixed-up process shows. The server's
 * heap (after gc) must come back near where it started once the processes are forgotten.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Client, createClient } from '@procwire/core';
import { grpcTransport } from '@procwire/grpc';
import { websocketTransport } from '@procwire/websocket';
import { mib, report } from './helpers/report.js';
import { ServerProcess } from './helpers/server-process.js';
import { aliceToken, bobToken } from './helpers/tokens.js';

const clientCount = 200;
const processesPerClient = 20;
/** Processes one client runs at the same time (so at most 200 x 4 run at once on the host). */
const perClientConcurrency = 4;
/**
 * Long enough that a loaded machine still reads every exited process before the host forgets it.
 * With 15 s, about 450 of the 2000 gRPC clients' processes answered not_found on a loaded 2-core
 * machine (their read/wait came more than 15 s after the exit); WebSocket clients lost none.
 */
const retentionMs = 60_000;
/** One process's exec, read and wait together; far above what any takes on a loaded machine. */
const processDeadlineMs = 90_000;

interface ClientResult {
  readonly correct: number;
  readonly wrong: string[];
}

async function runClient(client: Client, clientIndex: number, label: string): Promise<ClientResult> {
  let correct = 0;
  const wrong: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < processesPerClient) {
      const index = next++;
      const tag = `client-${clientIndex}-process-${index}`;
      const expectedCode = (clientIndex * processesPerClient + index) % 200;
      let stage = 'exec';
      // A process that never finishes shows as one with the stage it hung in, not as the whole
      // test's timeout.
      let deadline: NodeJS.Timeout | undefined;
      const hung = new Promise<never>((_resolve, reject) => {
        deadline = setTimeout(() => reject(Object.assign(new Error(`no answer in ${processDeadlineMs} ms`), { code: 'hung' })), processDeadlineMs);
      });
      try {
        const process = await Promise.race([client.exec(['sh', '-c', 'echo "$1"; exit "$2"', 'sh', tag, String(expectedCode)]), hung]);
        stage = 'read and wait';
        const [output, code] = await Promise.race([Promise.all([process.stdout.read(), process.wait()]), hung]);
        if (output === `${tag}\n` && code === expectedCode) correct++;
        else wrong.push(`${label} ${tag}: got ${JSON.stringify(output)} exit ${code}`);
      } catch (error) {
        const code = (error as { code?: string }).code ?? 'error';
        wrong.push(`${label} ${tag}: ${stage} failed with ${code}: ${(error as Error).message}`);
      } finally {
        clearTimeout(deadline);
      }
    }
  };
  await Promise.all(Array.from({ length: perClientConcurrency }, worker));
  return { correct, wrong };
}

describe('load', () => {
  it(`${clientCount} concurrent clients x ${processesPerClient} processes: none lost, none mixed up, server memory returns`, { timeout: 240_000 }, async () => {
    const server = await ServerProcess.start({ maxProcesses: 2000, retentionMs });
    const clients: Client[] = [];
    try {
      const start = await server.memory();
      for (let i = 0; i < clientCount; i++) {
        // Two principals, so isolation is under load too.
        const token = i % 4 < 2 ? aliceToken : bobToken;
        clients.push(
          i % 2 === 0
            ? createClient(grpcTransport({ address: server.grpcAddress, token }))
            : createClient(websocketTransport({ url: server.wsUrl, token })),
        );
      }
      const started = Date.now();
      let peak = start;
      let sampling = true;
      const sampler = (async () => {
        while (sampling) {
          const reading = await server.memory();
          if (reading.rss > peak.rss) peak = reading;
          await sleep(1000);
        }
      })();
      const results = await Promise.all(
        clients.map((client, index) => runClient(client, index, `${index % 2 === 0 ? 'gRPC' : 'WebSocket'} client`)),
      );
      sampling = false;
      await sampler;
      const wallMs = Date.now() - started;
      const correct = results.reduce((sum, result) => sum + result.correct, 0);
      const wrong = results.flatMap((result) => result.wrong);
      for (const client of clients.splice(0)) await client.close();
      // Exited processes are retained for `retentionMs`, then forgotten; then the heap must be back.
      await sleep(retentionMs + 1500);
      const end = await server.memory();
      report(
        `load: ${clientCount} clients (gRPC and WebSocket, 2 principals) x ${processesPerClient} processes = ` +
          `${clientCount * processesPerClient} processes in ${wallMs} ms; ${correct} correct, ${wrong.length} wrong` +
          `${wrong.length > 0 ? ` (first: ${wrong.slice(0, 5).join('; ')})` : ''}; server heap ${mib(start.heapUsed)} at start, ` +
          `${mib(peak.heapUsed)} at the rss peak, ${mib(end.heapUsed)} after; rss ${mib(start.rss)} -> peak ${mib(peak.rss)} -> ${mib(end.rss)}`,
      );
      assert.deepEqual(wrong, [], 'no process lost or mixed up');
      assert.equal(correct, clientCount * processesPerClient);
      assert.ok(end.heapUsed < start.heapUsed + 16 * 1024 * 1024, `server heap back near its start (${mib(start.heapUsed)} -> ${mib(end.heapUsed)})`);
    } finally {
      for (const client of clients) await client.close();
      await server.stop();
    }
  });
});
