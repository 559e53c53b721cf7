import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createClient, ErrorCode, isProcwireError, memoryTransport } from '@procwire/core';
import { grpcTransport } from '@procwire/grpc/client';
import { websocketTransport } from '@procwire/websocket/client';
import {
  createLogger,
  createServerApp,
  grpcFront,
  loadConfig,
  type ServerApp,
  type ServerConfig,
  websocketFront,
} from 'procwire-server';
import { httpGet, metricValue, settledMetrics } from './support/http.js';
import { LogCapture } from './support/log-capture.js';
import { memoryPrograms } from './support/memory-programs.js';
import { aliceToken, bobToken, writeTokensFile } from './support/tokens.js';

function testConfig(extra: string[] = []): ServerConfig {
  const loaded = loadConfig({
    argv: [
      '--grpc-listen=127.0.0.1:0',
      '--http-listen=127.0.0.1:0',
      `--tokens-file=${writeTokensFile()}`,
      '--max-processes-per-principal=2',
      '--max-argv-bytes=200',
      '--shutdown-grace-ms=2000',
      ...extra,
    ],
    env: {},
  });
  assert.equal(loaded.kind, 'run');
  return loaded.config;
}

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(isProcwireError(error), `expected a procwire error, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    return true;
  });
}

describe('createServerApp over memoryTransport', () => {
  const logs = new LogCapture();
  let app: ServerApp;
  const grpcClients = () => ({
    alice: createClient(grpcTransport({ address: app.addresses.grpc ?? '', token: aliceToken }), { retryTimeoutMs: 2000 }),
    bob: createClient(grpcTransport({ address: app.addresses.grpc ?? '', token: bobToken }), { retryTimeoutMs: 2000 }),
  });

  before(async () => {
    app = createServerApp({
      transport: memoryTransport({ programs: memoryPrograms }),
      config: testConfig(),
      logger: createLogger('debug', logs),
      grpcFront,
      websocketFront,
    });
    await app.start();
  });
  after(() => app.close());

  it('answers /healthz, /readyz, /metrics and serves the web terminal', async () => {
    assert.equal((await httpGet(`${app.addresses.http}/healthz`)).status, 200);
    assert.equal((await httpGet(`${app.addresses.http}/readyz`)).status, 200);
    const metrics = await httpGet(`${app.addresses.http}/metrics`);
    assert.equal(metrics.status, 200);
    assert.match(metrics.type, /^text\/plain; version=0\.0\.4/);
    assert.match(metrics.body, /^# TYPE procwire_processes_running gauge$/m);
    const page = await httpGet(`${app.addresses.http}/`);
    assert.equal(page.status, 200);
    assert.match(page.body, /<script type="module" src="\/terminal\.js">/);
    const script = await httpGet(`${app.addresses.http}/terminal.js`);
    assert.equal(script.status, 200);
    assert.match(script.type, /javascript/);
    assert.ok(script.body.length > 10_000, 'the bundle holds xterm.js and the client');
    assert.equal((await httpGet(`${app.addresses.http}/nope`)).status, 404);
  });

  it('runs a process over gRPC and over WebSocket', async () => {
    const viaGrpc = grpcClients().alice;
    const viaWebSocket = createClient(websocketTransport({ url: app.addresses.websocket ?? '', token: bobToken }));
    try {
      const first = await viaGrpc.exec(['echo', 'over', 'grpc']);
      assert.equal(await first.stdout.read(), 'over grpc\n');
      assert.equal(await first.wait(), 0);
      const second = await viaWebSocket.exec(['cat']);
      second.stdin.write('over websocket');
      second.stdin.writeEof();
      assert.equal(await second.stdout.read(), 'over websocket');
      assert.equal(await second.wait(), 0);
    } finally {
      await viaGrpc.close();
      await viaWebSocket.close();
    }
  });

  it("answers not_found for another principal's process, on both fronts", async () => {
    const { alice, bob } = grpcClients();
    const bobOverWebSocket = createClient(websocketTransport({ url: app.addresses.websocket ?? '', token: bobToken }));
    try {
      const sleeper = await alice.exec(['sleep']);
      await rejectsWith(bob.get(sleeper.id), ErrorCode.NotFound);
      await rejectsWith(bobOverWebSocket.get(sleeper.id), ErrorCode.NotFound);
      assert.ok(!(await bob.list()).some((info) => info.id === sleeper.id));
      assert.ok((await alice.list()).some((info) => info.id === sleeper.id));
      await sleeper.kill('SIGKILL');
      await sleeper.wait().catch(() => undefined);
    } finally {
      await Promise.all([alice.close(), bob.close(), bobOverWebSocket.close()]);
    }
  });

  it('limits running processes per principal and argv bytes, and keeps serving', async () => {
    const { alice, bob } = grpcClients();
    try {
      const first = await alice.exec(['sleep']);
      const second = await alice.exec(['sleep']);
      await rejectsWith(alice.exec(['sleep']), ErrorCode.ResourceExhausted);
      const bobs = await bob.exec(['echo', 'bob is not limited by alice']);
      assert.equal(await bobs.wait(), 0);
      await rejectsWith(alice.exec(['echo', 'x'.repeat(300)]), ErrorCode.ResourceExhausted);
      await first.kill('SIGKILL');
      await first.wait().catch(() => undefined);
      const third = await alice.exec(['echo', 'room again']);
      assert.equal(await third.stdout.read(), 'room again\n');
      await second.kill('SIGKILL');
      await second.wait().catch(() => undefined);
    } finally {
      await Promise.all([alice.close(), bob.close()]);
    }
  });

  it('counts processes, bytes, auth failures and errors in /metrics', async () => {
    const before = (await httpGet(`${app.addresses.http}/metrics`)).body;
    const { alice } = grpcClients();
    const intruderGrpc = createClient(grpcTransport({ address: app.addresses.grpc ?? '', token: 'wrong-token-000000000' }), {
      retryTimeoutMs: 500,
    });
    const intruderWebSocket = createClient(
      websocketTransport({ url: app.addresses.websocket ?? '', token: 'wrong-token-111111111' }),
      { retryTimeoutMs: 500 },
    );
    try {
      const cat = await alice.exec(['cat']);
      cat.stdin.write('12345');
      cat.stdin.writeEof();
      assert.equal(await cat.stdout.read(), '12345');
      assert.equal(await cat.wait(), 0);
      await rejectsWith(intruderGrpc.list(), ErrorCode.Unauthenticated);
      await assert.rejects(intruderWebSocket.list());
      await rejectsWith(alice.get('no-such-process'), ErrorCode.NotFound);
    } finally {
      await Promise.all([alice.close(), intruderGrpc.close(), intruderWebSocket.close()]);
    }
    const now = await settledMetrics(app.addresses.http, (text) =>
      metricValue(text, 'procwire_processes_exited_total') - metricValue(before, 'procwire_processes_exited_total') >= 1 &&
      metricValue(text, 'procwire_processes_running') === 0,
    );
    const grew = (sample: string) => metricValue(now, sample) - metricValue(before, sample);
    assert.equal(grew('procwire_processes_started_total'), 1);
    assert.equal(grew('procwire_processes_exited_total'), 1);
    assert.equal(metricValue(now, 'procwire_processes_running'), 0);
    assert.equal(grew('procwire_input_bytes_total'), 5);
    assert.equal(grew('procwire_output_bytes_total{fd="1"}'), 5);
    assert.equal(grew('procwire_auth_failures_total'), 2);
    assert.ok(grew('procwire_errors_total{code="not_found"}') >= 1);
  });

  it('logs refused calls at most once per interval with their count, and counts each in /metrics', async () => {
    const before = (await httpGet(`${app.addresses.http}/metrics`)).body;
    const linesBefore = logs.records().filter((record) => record['msg'] === 'calls refused: missing or wrong token').length;
    const intruder = createClient(grpcTransport({ address: app.addresses.grpc ?? '', token: 'wrong-token-222222222' }), {
      retryTimeoutMs: 200,
    });
    try {
      for (let attempt = 0; attempt < 20; attempt++) await rejectsWith(intruder.list(), ErrorCode.Unauthenticated);
    } finally {
      await intruder.close();
    }
    const now = (await httpGet(`${app.addresses.http}/metrics`)).body;
    assert.equal(metricValue(now, 'procwire_auth_failures_total') - metricValue(before, 'procwire_auth_failures_total'), 20);
    const lines = logs.records().filter((record) => record['msg'] === 'calls refused: missing or wrong token').length;
    assert.ok(lines - linesBefore <= 1, `20 refusals made ${lines - linesBefore} log lines`);
  });

  it('forbids framing the web terminal page', async () => {
    const { request } = await import('node:http');
    const headers = await new Promise<Record<string, string | string[] | undefined>>((resolve, reject) => {
      request(`${app.addresses.http}/`, { agent: false }, (response) => {
        response.resume();
        resolve(response.headers);
      })
        .on('error', reject)
        .end();
    });
    assert.match(String(headers['content-security-policy']), /frame-ancestors 'none'/);
    assert.equal(headers['x-frame-options'], 'DENY');
  });

  it('counts a retried start of the same process id once, running or exited', async () => {
    const before = (await httpGet(`${app.addresses.http}/metrics`)).body;
    const { alice } = grpcClients();
    try {
      const first = await alice.exec(['echo', 'once'], { processId: 'retried-start-1' });
      assert.equal(await first.wait(), 0);
      const again = await alice.exec(['echo', 'once'], { processId: 'retried-start-1' });
      assert.equal(again.id, first.id);
      assert.equal(await again.wait(), 0);
    } finally {
      await alice.close();
    }
    const now = await settledMetrics(app.addresses.http, (text) =>
      metricValue(text, 'procwire_processes_exited_total') - metricValue(before, 'procwire_processes_exited_total') >= 1 &&
      metricValue(text, 'procwire_processes_running') === 0,
    );
    const grew = (sample: string) => metricValue(now, sample) - metricValue(before, sample);
    assert.equal(grew('procwire_processes_started_total'), 1);
    assert.equal(grew('procwire_processes_exited_total'), 1);
  });

  it('never logs a token, and logs starts with their process id', () => {
    assert.ok(logs.lines.length > 0);
    for (const token of [aliceToken, bobToken, 'wrong-token-000000000', 'wrong-token-111111111']) {
      assert.ok(!logs.text.includes(token), 'a token appears in the log');
    }
    const started = logs.records().filter((record) => record['msg'] === 'process started');
    assert.ok(started.length > 0);
    for (const record of started) {
      assert.equal(typeof record['processId'], 'string');
      assert.equal(typeof record['requestId'], 'string');
      assert.ok(record['principal'] === 'alice' || record['principal'] === 'bob');
    }
  });
});
