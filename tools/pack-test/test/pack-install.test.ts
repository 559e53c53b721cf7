/**
 * A user's first five minutes: `npm install @procwire/core @procwire/local-pty ...` from tarballs
 * made by `pnpm pack` (exactly what would be published), in a project outside the workspace, then
 * a small `exec` through every transport. Catches a wrong `exports` map, a file missing from
 * `files`, a `workspace:` range left in a manifest, or a dependency that only the workspace had.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const publishable = ['core', 'conformance', 'local-pty', 'grpc', 'websocket'];

const smokeScript = `
import { createClient, memoryTransport, StreamType } from '@procwire/core';
import { localTransport } from '@procwire/local-pty';
import { grpcTransport } from '@procwire/grpc/client';
import { serveGrpc } from '@procwire/grpc/server';
import { websocketTransport } from '@procwire/websocket/client';
import { serveWebSocket } from '@procwire/websocket/server';
import { describeTransportConformance } from '@procwire/conformance';

const results = {};
if (typeof describeTransportConformance !== 'function') throw new Error('conformance: no describeTransportConformance');
const memory = createClient(memoryTransport({ programs: { hello: async (p) => { await p.stdout.write('hi from memory\\n'); return 0; } } }));
results.memory = await (await memory.exec(['hello'])).stdout.read();
await memory.close();

const host = localTransport();
const local = createClient(host);
const p = await local.exec(['sh', '-c', 'echo hi from local; exit 3']);
results.local = await p.stdout.read();
results.localCode = await p.wait();

const grpcServer = await serveGrpc(host, { host: '127.0.0.1', port: 0, tokens: { tok: 'alice' } });
const viaGrpc = createClient(grpcTransport({ address: grpcServer.address, token: 'tok' }));
results.grpc = await (await viaGrpc.exec(['echo', 'hi from grpc'])).stdout.read();
await viaGrpc.close();
await grpcServer.close();

const wsServer = await serveWebSocket(host, { host: '127.0.0.1', port: 0, path: '/procwire', tokens: { tok: 'alice' } });
const viaWs = createClient(websocketTransport({ url: wsServer.url, token: 'tok' }));
results.websocket = await (await viaWs.exec(['echo', 'hi from websocket'])).stdout.read();
await viaWs.close();
await wsServer.close();
await local.close();
console.log(JSON.stringify(results));
`;

describe('the published packages, installed from their tarballs', { timeout: 600_000 }, () => {
  let project: string;
  before(() => {
    project = mkdtempSync(join(tmpdir(), 'procwire-pack-'));
    const tarballs = join(project, 'tarballs');
    const dependencies: Record<string, string> = {};
    for (const name of publishable) {
      execFileSync('pnpm', ['pack', '--pack-destination', tarballs], { cwd: join(root, 'packages', name), stdio: 'pipe' });
    }
    for (const file of readdirSync(tarballs)) {
      const name = `@procwire/${file.replace(/^procwire-/, '').replace(/-\d+\.\d+\.\d+.*\.tgz$/, '')}`;
      dependencies[name] = `file:./tarballs/${file}`;
    }
    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify({ name: 'user-project', private: true, type: 'module', dependencies }, null, 2),
    );
    // node-pty builds from source; the machine's Node headers are in /usr.
    writeFileSync(join(project, '.npmrc'), 'nodedir=/usr\nfund=false\naudit=false\n');
    writeFileSync(join(project, 'smoke.mjs'), smokeScript);
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: project, stdio: 'pipe' });
  });
  after(() => {
    if (project !== undefined) rmSync(project, { recursive: true, force: true });
  });

  it('runs a command through memory, local, gRPC and WebSocket transports', () => {
    const output = execFileSync(process.execPath, ['smoke.mjs'], { cwd: project, encoding: 'utf8', timeout: 60_000 });
    const results = JSON.parse(output.trim().split('\n').at(-1) ?? '{}');
    assert.deepEqual(results, {
      memory: 'hi from memory\n',
      local: 'hi from local\n',
      localCode: 3,
      grpc: 'hi from grpc\n',
      websocket: 'hi from websocket\n',
    });
  });
});
