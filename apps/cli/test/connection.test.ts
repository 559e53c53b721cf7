import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, describe, it } from 'node:test';
import { type FaultProxy, startFaultProxy } from '@procwire/fault-proxy';
import { serveGrpc } from '@procwire/grpc/server';
import { localTransport } from '@procwire/local-pty';
import { ExitCode } from 'procwire';
import { eventually, runProcwire, startProcwire } from './cli-process.js';
import { aliceToken, grpcTarget, type Target, websocketTarget } from './targets.js';

/** A port nothing listens on: bound once, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('procwire and an unreachable server', () => {
  it('fails at once with exit 255 and one line naming the address when the first connection is refused', async () => {
    const port = await closedPort();
    for (const url of [`grpc://127.0.0.1:${port}`, `ws://127.0.0.1:${port}/procwire`]) {
      const started = performance.now();
      const result = await runProcwire(['exec', '--url', url, '--token', aliceToken, '--', 'true']);
      const seconds = (performance.now() - started) / 1000;
      assert.equal(result.code, ExitCode.Unavailable, result.stderr);
      assert.ok(result.stderr.startsWith(`procwire: cannot reach ${url}: `), result.stderr);
      assert.match(result.stderr, /ECONNREFUSED/);
      assert.match(result.stderr, /--wait-for-server/, 'the message names the flag that waits');
      assert.equal(result.stderr.split('\n').length, 2, 'one line');
      // Without the fix this took the whole --give-up time (30 s); the bound is generous for a loaded machine.
      assert.ok(seconds < 10, `took ${seconds.toFixed(1)} s`);
    }
  });

  it('keeps trying the first connection for --wait-for-server seconds, then exits 255', async () => {
    const port = await closedPort();
    const url = `ws://127.0.0.1:${port}/procwire`;
    const started = performance.now();
    const result = await runProcwire(['exec', '--url', url, '--wait-for-server', '1', '--token', aliceToken, '--', 'true']);
    const seconds = (performance.now() - started) / 1000;
    assert.equal(result.code, ExitCode.Unavailable, result.stderr);
    assert.ok(result.stderr.startsWith(`procwire: cannot reach ${url}; gave up after 1 s: `), result.stderr);
    assert.ok(seconds >= 1, `gave up after ${seconds.toFixed(2)} s, before --wait-for-server's 1 s`);
  });

  it('exec --wait-for-server reaches a server that starts listening meanwhile', async () => {
    const port = await closedPort();
    const run = startProcwire(['exec', '--url', `grpc://127.0.0.1:${port}`, '--wait-for-server', '20', '--', 'echo', 'late'], {
      env: { PROCWIRE_TOKEN: aliceToken },
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    const host = localTransport();
    const late = await serveGrpc(host, { host: '127.0.0.1', port, tokens: { [aliceToken]: 'alice' } });
    try {
      const result = await run.finished;
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout.toString(), 'late\n');
    } finally {
      await late.close();
      await host.close();
    }
  });
});

const proxies: FaultProxy[] = [];
const behindProxy = async (port: number) => {
  const proxy = await startFaultProxy({ targetPort: port });
  proxies.push(proxy);
  return proxy.port;
};
const targets: Target[] = [await grpcTarget(behindProxy), await websocketTarget(behindProxy)];
after(async () => {
  await Promise.all(targets.map((target) => target.close()));
  await Promise.all(proxies.map((proxy) => proxy.close()));
});

targets.forEach((target, index) => {
  const proxy = proxies[index]!;
  describe(`procwire exec across a cut connection (${target.name})`, () => {
    it('reconnects quietly: every line arrives once, in order, and the exit code passes through', async () => {
      proxy.refuse(false);
      const lines = 60;
      const run = startProcwire(
        ['exec', ...target.urlArgs, '--', 'sh', '-c', `for i in $(seq 1 ${lines}); do echo line$i; sleep 0.05; done; exit 6`],
        { env: { PROCWIRE_TOKEN: aliceToken } },
      );
      // Cut twice while output flows: once early, once later.
      await eventually('output to start', async () => run.stdoutSoFar().includes('line3\n') || undefined);
      proxy.cutAll();
      await eventually('output to go on', async () => run.stdoutSoFar().includes('line30\n') || undefined);
      proxy.cutAll();
      const result = await run.finished;
      assert.equal(result.code, 6, result.stderr);
      assert.equal(result.stdout.toString(), Array.from({ length: lines }, (_, i) => `line${i + 1}\n`).join(''));
      assert.equal(result.stderr, '', 'nothing printed about the reconnects');
    });

    it('gives up after --give-up with one line and exit 255 when the server stays away', async () => {
      proxy.refuse(false);
      const run = startProcwire(['exec', ...target.urlArgs, '--give-up', '2', '--', 'sh', '-c', 'echo up; sleep 30'], {
        env: { PROCWIRE_TOKEN: aliceToken },
      });
      await eventually('the process to start', async () => run.stdoutSoFar().includes('up\n') || undefined);
      proxy.refuse(true);
      proxy.cutAll();
      const result = await run.finished;
      proxy.refuse(false);
      assert.equal(result.code, ExitCode.Unavailable, result.stderr);
      assert.ok(result.stderr.startsWith(`procwire: lost the connection to ${target.url}; gave up after 2 s`), result.stderr);
      assert.equal(result.stderr.split('\n').length, 2, 'one line');
    });
  });
});
