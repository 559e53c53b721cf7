import assert from 'node:assert/strict';
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Transport } from '@procwire/core/transport';
import { localTransport } from '@procwire/local-pty';
import { nextId, pipeRequest, readAll, run } from './helpers.js';

describe('pipe mode', () => {
  let transport: Transport;
  let dir: string;
  before(() => {
    transport = localTransport();
    dir = realpathSync(mkdtempSync(join(tmpdir(), 'procwire-pipe-')));
  });
  after(async () => {
    await transport.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('stdout and stderr are separate streams, and the exit code is the process own', async () => {
    const result = await run(transport, pipeRequest(nextId(), ['sh', '-c', 'echo out; echo err >&2; exit 3']));
    assert.deepEqual(result, { status: { code: 3 }, stdout: 'out\n', stderr: 'err\n' });
  });

  test('output is binary safe: every byte value arrives unchanged', async () => {
    const processId = nextId();
    const script = 'process.stdout.write(Buffer.from(Array.from({ length: 256 }, (_, i) => i)))';
    await transport.start(pipeRequest(processId, [process.execPath, '-e', script]));
    await transport.wait({ processId });
    const bytes = await readAll(transport, processId, 1);
    assert.deepEqual([...bytes], Array.from({ length: 256 }, (_, i) => i));
  });

  test('argv items reach the process unchanged, with no shell in between', async () => {
    const tricky = ['$HOME', '; echo no', '"quoted" \'single\'', 'a\nb', 'ünïcødé', ''];
    const script = 'process.stdout.write(JSON.stringify(process.argv.slice(1)))';
    const result = await run(transport, pipeRequest(nextId(), [process.execPath, '-e', script, ...tricky]));
    assert.deepEqual(JSON.parse(result.stdout), tricky);
  });

  test('cwd sets the working directory, and info reports it', async () => {
    const processId = nextId();
    const result = await run(transport, pipeRequest(processId, ['pwd'], { cwd: dir }));
    assert.equal(result.stdout, `${dir}\n`);
    assert.equal((await transport.get({ processId })).cwd, dir);
  });

  test('a process killed by a signal exits with 128 + the signal number and names the signal', async () => {
    const result = await run(transport, pipeRequest(nextId(), ['sh', '-c', 'kill -USR1 $$; sleep 5']));
    assert.deepEqual(result.status, { code: 138, signal: 'SIGUSR1' });
  });

  test('DEVNULL discards a stream: it counts as empty at EOF and cannot be read', async () => {
    const processId = nextId();
    await transport.start({ processId, argv: ['sh', '-c', 'echo out; echo err >&2'], stdout: 'devnull', stderr: 'pipe' });
    await transport.wait({ processId });
    assert.equal((await readAll(transport, processId, 2)).toString(), 'err\n');
    const info = await transport.get({ processId });
    assert.equal(info.stdout.mode, 'devnull');
    assert.equal(info.stdout.eof, true);
    await assert.rejects(readAll(transport, processId, 1), { code: 'invalid_argument' });
  });

  test('exec, then wait, then read works for output far larger than a pipe buffer', async () => {
    const processId = nextId();
    await transport.start(pipeRequest(processId, ['head', '-c', String(3 * 1024 * 1024), '/dev/zero']));
    assert.deepEqual(await transport.wait({ processId }), { code: 0 });
    assert.equal((await readAll(transport, processId, 1)).byteLength, 3 * 1024 * 1024);
  });
});

describe('environment', () => {
  const secret = 'PROCWIRE_TEST_HOST_SECRET';
  let transport: Transport;
  let inheriting: Transport;
  before(() => {
    process.env[secret] = 'hunter2';
    transport = localTransport();
    inheriting = localTransport({ inheritEnv: true });
  });
  after(async () => {
    delete process.env[secret];
    await Promise.all([transport.close(), inheriting.close()]);
  });

  const printEnv = [process.execPath, '-e', 'process.stdout.write(JSON.stringify(process.env))'];

  test('a process starts from the documented base, not the host environment', async () => {
    const env = JSON.parse((await run(transport, pipeRequest(nextId(), printEnv))).stdout) as Record<string, string>;
    assert.equal(env[secret], undefined);
    assert.equal(env['PATH'], process.env['PATH']);
    for (const key of Object.keys(env)) {
      assert.ok(['PATH', 'HOME', 'LANG', 'LC_ALL', 'USER', 'LOGNAME', 'SHELL', 'TERM', 'TZ'].includes(key), key);
    }
  });

  test('request env is merged over the base, and undefined removes a key', async () => {
    const request = pipeRequest(nextId(), printEnv, { env: { GREETING: 'hello world', PATH: undefined } });
    const env = JSON.parse((await run(transport, request)).stdout) as Record<string, string>;
    assert.equal(env['GREETING'], 'hello world');
    assert.equal(env['PATH'], undefined);
  });

  test('inheritEnv: true passes the host environment', async () => {
    const env = JSON.parse((await run(inheriting, pipeRequest(nextId(), printEnv))).stdout) as Record<string, string>;
    assert.equal(env[secret], 'hunter2');
  });

  test('baseEnv replaces the default base', async () => {
    const custom = localTransport({ baseEnv: { PATH: process.env['PATH'], ONLY: 'this' } });
    try {
      const env = JSON.parse((await run(custom, pipeRequest(nextId(), printEnv))).stdout) as Record<string, string>;
      assert.deepEqual(Object.keys(env).sort(), ['ONLY', 'PATH']);
    } finally {
      await custom.close();
    }
  });
});
