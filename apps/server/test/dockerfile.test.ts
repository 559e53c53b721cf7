// The project's Dockerfile, built and run: the conformance suite passes through the containerised
// procwire-server over gRPC. Registries cannot be reached here, so the image builds on a base made
// from this host's Debian packages (tools/scripts/docker-base-image.sh) with `--build-arg BASE`;
// users build on the default, node:20-bookworm-slim. The private engine has no bridge network, so
// the build and the server use the host's network (the server listens on 127.0.0.1 only).
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeTransportConformance } from '@procwire/conformance';
import { createClient } from '@procwire/core';
import { type FaultProxy, startFaultProxy } from '@procwire/fault-proxy';
import { grpcTransport } from '@procwire/grpc/client';
import { testDockerHost } from './support/docker-engine.js';
import { aliceToken, bobToken } from './support/tokens.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const IMAGE = 'procwire-server-dockerfile-test';
const BASE = 'procwire-node-base';
const CONTAINER = 'procwire-server-dockerfile-test';

/** Runs a command to its end; rejects with its output's tail when it fails. */
function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-20_000);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-20_000);
    });
    child.once('error', reject);
    child.once('close', (code) =>
      code === 0 ? resolve(output) : reject(new Error(`${command} ${args.join(' ')} exited ${code}:\n${output.slice(-4000)}`)),
    );
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

let proxy: FaultProxy;
let env: NodeJS.ProcessEnv;

describeTransportConformance({
  name: 'grpc (grpcTransport -> procwire-server in its Docker image -> localTransport)',
  // The server's default --output-burst-bytes: a stream being read may run that far ahead.
  limits: { outputBurstBytes: 8 * 1024 * 1024 },
  async setup() {
    env = { ...process.env, DOCKER_HOST: testDockerHost(), DOCKER_BUILDKIT: '0' };
    await run('bash', [join(root, 'tools/scripts/docker-base-image.sh'), BASE], env);
    await run('docker', ['build', '--network', 'host', '--build-arg', `BASE=${BASE}`, '-t', IMAGE, '.'], env);
    const secrets = mkdtempSync(join(tmpdir(), 'procwire-dockerfile-'));
    const tokens = join(secrets, 'tokens');
    writeFileSync(tokens, `${aliceToken} alice\n${bobToken} bob\n`, { mode: 0o644 });
    const [grpcPort, httpPort] = [await freePort(), await freePort()];
    await run('docker', ['rm', '-f', CONTAINER], env).catch(() => '');
    await run(
      'docker',
      [
        'run',
        '-d',
        '--name',
        CONTAINER,
        '--network',
        'host',
        '-v',
        `${tokens}:/run/secrets/procwire-tokens:ro`,
        '-e',
        `PROCWIRE_GRPC_LISTEN=127.0.0.1:${grpcPort}`,
        '-e',
        `PROCWIRE_HTTP_LISTEN=127.0.0.1:${httpPort}`,
        IMAGE,
      ],
      env,
    );
    // Ready once a call goes through (bounded: 60 tries, 250 ms apart).
    const address = `127.0.0.1:${grpcPort}`;
    for (let attempt = 0; ; attempt++) {
      const probe = createClient(grpcTransport({ address, token: aliceToken }), { retryTimeoutMs: 0 });
      try {
        await probe.list();
        break;
      } catch (error) {
        if (attempt >= 60) throw new Error(`the containerised server did not answer: ${String(error)}\n${await run('docker', ['logs', CONTAINER], env).catch(String)}`);
        await new Promise((resolve) => setTimeout(resolve, 250));
      } finally {
        await probe.close();
      }
    }
    proxy = await startFaultProxy({ targetHost: '127.0.0.1', targetPort: grpcPort });
    return {
      transport: grpcTransport({ address: proxy.address, token: aliceToken }),
      otherPrincipal: grpcTransport({ address: proxy.address, token: bobToken }),
      interrupt: () => void proxy.cutAll(),
    };
  },
  async teardown(target) {
    await target.transport.close();
    await target.otherPrincipal?.close();
    await proxy?.close();
    await run('docker', ['rm', '-f', CONTAINER], env).catch(() => '');
  },
  timeoutScale: 2,
});
