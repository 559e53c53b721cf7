import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Client, createClient, ErrorCode, isProcwireError } from '@procwire/core';
import { grpcTransport } from '@procwire/grpc/client';
import { websocketTransport } from '@procwire/websocket/client';
import { httpGet, metricValue, settledMetrics } from './support/http.js';
import { isAlive, runServerToExit, type ServerProcess, startServerProcess } from './support/server-process.js';
import { aliceToken, bobToken, writeTokensFile } from './support/tokens.js';

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(isProcwireError(error), `expected a procwire error, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    return true;
  });
}

describe('procwire-server process (node dist/main.js)', () => {
  let server: ServerProcess;
  const clients: Client[] = [];
  const grpcClient = (token: string) => {
    const client = createClient(grpcTransport({ address: server.addresses.grpc, token }), { retryTimeoutMs: 2000 });
    clients.push(client);
    return client;
  };
  const websocketClient = (token: string) => {
    const client = createClient(websocketTransport({ url: server.addresses.websocket, token }), { retryTimeoutMs: 2000 });
    clients.push(client);
    return client;
  };

  before(async () => {
    server = await startServerProcess([
      `--tokens-file=${writeTokensFile()}`,
      '--max-processes-per-principal=3',
      '--max-argv-bytes=4096',
      '--shutdown-grace-ms=1500',
      '--log-level=debug',
    ]);
  });
  after(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await server.stop('SIGKILL');
  });

  it('runs commands for two principals over gRPC and over WebSocket', async () => {
    const alice = grpcClient(aliceToken);
    const shell = await alice.exec(['sh', '-c', 'echo "hi from $0"; exit 3', 'grpc']);
    assert.equal(await shell.stdout.read(), 'hi from grpc\n');
    assert.equal(await shell.wait(), 3);

    const bob = websocketClient(bobToken);
    const cat = await bob.exec(['cat']);
    cat.stdin.write('bytes over websocket\n');
    cat.stdin.writeEof();
    assert.equal(await cat.stdout.read(), 'bytes over websocket\n');
    assert.equal(await cat.wait(), 0);
  });

  it("isolates principals: another's process is not_found on both fronts", async () => {
    const alice = websocketClient(aliceToken);
    const sleeper = await alice.exec(['sleep', '1000']);
    for (const bob of [grpcClient(bobToken), websocketClient(bobToken)]) {
      await rejectsWith(bob.get(sleeper.id), ErrorCode.NotFound);
      assert.ok(!(await bob.list()).some((info) => info.id === sleeper.id));
    }
    assert.equal((await grpcClient(aliceToken).get(sleeper.id)).id, sleeper.id, 'alice sees it from the other front');
    await sleeper.kill('SIGKILL');
    assert.equal(await sleeper.wait(), 137);
  });

  it('refuses a start past the per-principal limit and an argv past the byte limit, and keeps serving', async () => {
    const alice = grpcClient(aliceToken);
    const sleepers = [await alice.exec(['sleep', '1000']), await alice.exec(['sleep', '1000']), await alice.exec(['sleep', '1000'])];
    await rejectsWith(alice.exec(['sleep', '1000']), ErrorCode.ResourceExhausted);
    await rejectsWith(websocketClient(aliceToken).exec(['true', 'x'.repeat(5000)]), ErrorCode.ResourceExhausted);
    const bob = grpcClient(bobToken);
    const echo = await bob.exec(['echo', 'bob still runs']);
    assert.equal(await echo.stdout.read(), 'bob still runs\n');
    for (const sleeper of sleepers) {
      await sleeper.kill('SIGKILL');
      await sleeper.wait().catch(() => undefined);
    }
  });

  it('counts processes, bytes and auth failures in /metrics', async () => {
    const before = (await httpGet(`${server.addresses.http}/metrics`)).body;
    const alice = websocketClient(aliceToken);
    const cat = await alice.exec(['cat']);
    cat.stdin.write('0123456789');
    cat.stdin.writeEof();
    assert.equal(await cat.stdout.read(), '0123456789');
    await cat.wait();
    await rejectsWith(
      createClient(grpcTransport({ address: server.addresses.grpc, token: 'not-a-real-token-xyz' })).list(),
      ErrorCode.Unauthenticated,
    );
    const now = await settledMetrics(server.addresses.http, (text) =>
      metricValue(text, 'procwire_processes_exited_total') - metricValue(before, 'procwire_processes_exited_total') >= 1 &&
      metricValue(text, 'procwire_processes_running') === 0,
    );
    const grew = (sample: string) => metricValue(now, sample) - metricValue(before, sample);
    assert.equal(grew('procwire_processes_started_total'), 1);
    assert.equal(grew('procwire_processes_exited_total'), 1);
    assert.equal(grew('procwire_input_bytes_total'), 10);
    assert.equal(grew('procwire_output_bytes_total{fd="1"}'), 10);
    assert.equal(grew('procwire_auth_failures_total'), 1);
    assert.ok(metricValue(now, 'procwire_errors_total{code="resource_exhausted"}') >= 2);
    assert.equal(metricValue(now, 'procwire_processes_running'), 0);
  });

  it('shuts down on SIGTERM: TERM, then KILL after the grace period, no process left, exit 0', async () => {
    const alice = grpcClient(aliceToken);
    const bob = websocketClient(bobToken);
    const polite = await alice.exec(['sleep', '1000']);
    // Ignores SIGTERM (and so does its sleep, which inherits the ignored disposition).
    const stubborn = await bob.exec(['sh', '-c', 'trap "" TERM; echo ready; sleep 1000; echo never']);
    const reader = stubborn.stdout[Symbol.asyncIterator]();
    assert.match(String((await reader.next()).value), /ready/);
    const pids = [(await polite.info()).pid, (await stubborn.info()).pid];
    const children = pids.map((pid) => {
      assert.ok(pid !== undefined && isAlive(pid));
      return pid;
    });
    const ready = await httpGet(`${server.addresses.http}/readyz`);
    assert.equal(ready.status, 200);

    const code = await server.stop('SIGTERM');
    assert.equal(code, 0);
    for (const pid of children) assert.equal(isAlive(pid), false, `process ${pid} outlived the server`);
    const log = server.stdout();
    assert.match(log, /"msg":"shut down"/);
    assert.match(log, /"signalled":2,"killed":1/);
  });

  it('never writes a token to its log', () => {
    const log = server.stdout();
    assert.ok(log.includes('"msg":"process started"'), 'the log has content to check');
    for (const token of [aliceToken, bobToken, 'not-a-real-token-xyz']) {
      assert.ok(!log.includes(token), 'a token appears in the log');
      assert.ok(!server.stderr().includes(token), 'a token from the tokens file appears on stderr');
    }
  });
});

describe('procwire-server command line', () => {
  it('prints a generated token and a working web terminal URL when no tokens file is given', async () => {
    const server = await startServerProcess([]);
    try {
      // The banner follows the ready file closely, but it does follow it.
      const deadline = Date.now() + 10_000;
      while (!server.stderr().includes('Press Ctrl-C') && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const match = /#token=([A-Za-z0-9_-]+)/.exec(server.stderr());
      assert.ok(match, `the banner shows the web terminal URL with its token:\n${server.stderr()}`);
      const token = match[1] as string;
      assert.match(server.stderr(), new RegExp(`${server.addresses.http}/#token=`));
      const client = createClient(websocketTransport({ url: server.addresses.websocket, token }));
      try {
        const echo = await client.exec(['echo', 'generated token works']);
        assert.equal(await echo.stdout.read(), 'generated token works\n');
      } finally {
        await client.close();
      }
      const page = await httpGet(`${server.addresses.http}/`);
      assert.equal(page.status, 200);
      assert.ok(!server.stdout().includes(token), 'the generated token appears in the JSON log');
    } finally {
      assert.equal(await server.stop('SIGINT'), 0);
    }
  });

  it('exits 2 with one line naming the bad key', async () => {
    const result = await runServerToExit(['--max-processes-per-principal', 'many']);
    assert.equal(result.code, 2);
    const lines = result.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1);
    assert.match(lines[0] ?? '', /--max-processes-per-principal/);
  });

  it('prints --help and exits 0', async () => {
    const result = await runServerToExit(['--help']);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /--tokens-file/);
  });
});
