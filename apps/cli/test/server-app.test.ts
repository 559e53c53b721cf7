import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ProcessSummary } from 'procwire';
import { runProcwire } from './cli-process.js';
import { type ServerAppProcess, startServerApp } from './server-app-process.js';
import { aliceToken } from './targets.js';

// The real server app (apps/server), started as its own process, as users run it.
let ready: ServerAppProcess;
before(async () => {
  ready = await startServerApp();
});
after(() => ready?.stop());

describe('procwire against the procwire-server app', () => {
  it('execs over gRPC and WebSocket and lists what ran', async () => {
    const env = { PROCWIRE_TOKEN: aliceToken };
    const [overGrpc, overWebSocket] = await Promise.all([
      runProcwire(['exec', '--url', `grpc://${ready.grpc}`, '--', 'sh', '-c', 'echo grpc; echo e >&2; exit 3'], { env }),
      runProcwire(['exec', '--', 'sh', '-c', 'echo ws; exit 4'], { env: { ...env, PROCWIRE_URL: ready.websocket } }),
    ]);
    assert.deepEqual([overGrpc.code, overGrpc.stdout.toString(), overGrpc.stderr], [3, 'grpc\n', 'e\n']);
    assert.deepEqual([overWebSocket.code, overWebSocket.stdout.toString()], [4, 'ws\n']);
    const listed = await runProcwire(['ps', '--json', '--url', ready.websocket], { env });
    assert.equal(listed.code, 0, listed.stderr);
    const codes = (JSON.parse(listed.stdout.toString()) as ProcessSummary[]).map((entry) => entry.exit?.code).sort();
    assert.deepEqual(codes, [3, 4]);
  });
});
