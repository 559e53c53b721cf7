import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import type { ProcessSummary } from 'procwire';
import { eventually, runProcwire } from './cli-process.js';
import { aliceToken } from './targets.js';

// The real server app (apps/server), started as its own process, as users run it.
const serverMain = fileURLToPath(new URL('../../server/dist/main.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'procwire-cli-server-'));
writeFileSync(join(dir, 'tokens'), `${aliceToken} alice\n`, { mode: 0o600 });
const server = spawn(
  process.execPath,
  [serverMain, '--grpc-listen', '127.0.0.1:0', '--http-listen', '127.0.0.1:0', '--tokens-file', join(dir, 'tokens'), '--ready-file', join(dir, 'ready.json')],
  { stdio: ['ignore', 'ignore', 'pipe'] },
);
let serverLog = '';
server.stderr.on('data', (chunk: Buffer) => {
  serverLog += chunk.toString();
});
const exited = new Promise((resolve) => server.on('exit', resolve));
after(async () => {
  server.kill('SIGTERM');
  await exited;
  rmSync(dir, { recursive: true, force: true });
});

describe('procwire against the procwire-server app', () => {
  it('execs over gRPC and WebSocket and lists what ran', async () => {
    const ready = await eventually(
      `the server's ready file (server log: ${serverLog})`,
      async () => {
        try {
          return JSON.parse(readFileSync(join(dir, 'ready.json'), 'utf8')) as { grpc: string; websocket: string };
        } catch {
          return undefined;
        }
      },
      30_000,
    );
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
