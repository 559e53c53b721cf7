/**
 * Server restart: the server process is killed like a crash while clients wait on its processes,
 * and a new server starts on the same ports. Every client call about an old process ends with a
 * clear error (`process_lost` from a handle, `not_found` from a fresh `get(id)`), never a hang; a server that stays down ends in
 * `unavailable` once the client's retry time runs out.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { type Client, createClient, isProcwireError, type ProcwireError } from '@procwire/core';
import { grpcTransport } from '@procwire/grpc';
import { websocketTransport } from '@procwire/websocket';
import { report } from './helpers/report.js';
import { ServerProcess } from './helpers/server-process.js';
import { aliceToken } from './helpers/tokens.js';

function killQuietly(pid: number): void {
  try {
    if (pid > 0) process.kill(-pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

function clientsFor(server: ServerProcess, retryTimeoutMs: number): Array<{ name: string; client: Client }> {
  return [
    { name: 'gRPC', client: createClient(grpcTransport({ address: server.grpcAddress, token: aliceToken }), { retryTimeoutMs }) },
    { name: 'WebSocket', client: createClient(websocketTransport({ url: server.wsUrl, token: aliceToken }), { retryTimeoutMs }) },
  ];
}

/** Settle `promise` into its error (or fail if it resolves), recording how long it took. */
async function failureOf(promise: Promise<unknown>): Promise<{ error: ProcwireError; ms: number }> {
  const started = Date.now();
  const error = await promise.then(
    (value) => assert.fail(`expected an error, got ${JSON.stringify(value)}`),
    (error: unknown) => error,
  );
  assert.ok(isProcwireError(error), `a ProcwireError, got ${String(error)}`);
  return { error, ms: Date.now() - started };
}

describe('server restart', () => {
  // A crashed server leaves its processes behind (as a real crash would); the test cleans them up.
  const orphans: number[] = [];
  after(() => {
    for (const pid of orphans) killQuietly(pid);
  });

  it('processes of a crashed server end with a clear "process lost" / not found error on the restarted server', { timeout: 120_000 }, async () => {
    const first = await ServerProcess.start();
    const clients = clientsFor(first, 20_000);
    let second: ServerProcess | undefined;
    try {
      const running = await Promise.all(clients.map(({ client }) => client.exec(['sleep', '60'])));
      orphans.push(...(await Promise.all(running.map(async (process) => (await process.info()).pid ?? 0))));
      const waits = running.map((process) => failureOf(process.wait()));
      await first.crash();
      second = await ServerProcess.start({ grpcPort: first.grpcPort, wsPort: first.wsPort });
      for (const [index, { name, client }] of clients.entries()) {
        const process = running[index]!;
        const waited = await waits[index]!;
        const fetched = await failureOf(client.get(process.id));
        const read = await failureOf(process.stdout.read());
        report(
          `${name}: after a crash and restart on the same port, wait() -> ${waited.error.code} in ${waited.ms} ms ` +
            `("${waited.error.message}"); get(id) -> ${fetched.error.code}; stdout.read() -> ${read.error.code}`,
        );
        // The handles knew their process: the host lost it. A fresh lookup by id simply finds nothing.
        for (const { error } of [waited, read]) {
          assert.equal(error.code, 'process_lost', `${name}: a handle reports its lost process, got ${error.code}: ${error.message}`);
        }
        assert.equal(fetched.error.code, 'not_found', `${name}: get(id) on the new server, got ${fetched.error.code}`);
        const fresh = await client.exec(['echo', 'new server']);
        assert.equal(await fresh.stdout.read(), 'new server\n', `${name}: the client works with the new server`);
      }
    } finally {
      for (const { client } of clients) await client.close();
      await second?.stop();
      await first.stop();
    }
  });

  it('a server that stays down: waiting clients get "unavailable" when their retry time runs out, not a hang', { timeout: 60_000 }, async () => {
    const server = await ServerProcess.start();
    const clients = clientsFor(server, 3000);
    try {
      const running = await Promise.all(clients.map(({ client }) => client.exec(['sleep', '60'])));
      orphans.push(...(await Promise.all(running.map(async (process) => (await process.info()).pid ?? 0))));
      const waits = running.map((process) => failureOf(process.wait()));
      await server.crash();
      for (const [index, { name }] of clients.entries()) {
        const { error, ms } = await waits[index]!;
        report(`${name}: server down for good, wait() -> ${error.code} after ${ms} ms ("${error.message}")`);
        assert.ok(['unavailable', 'process_lost'].includes(error.code), `${name}: got ${error.code}: ${error.message}`);
      }
    } finally {
      for (const { client } of clients) await client.close();
    }
  });
});
