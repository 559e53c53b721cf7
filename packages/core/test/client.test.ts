import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createClient, ErrorCode, isProcwireError, type MemoryProgram, memoryTransport, ProcwireError, type Transport } from '@procwire/core';
import { withClient } from './harness.js';
import { allPrograms } from './programs.js';

describe('createClient', () => {
  it('exec with the same processId is idempotent: the program runs once', async () => {
    let starts = 0;
    const counted: MemoryProgram = async (context) => {
      starts++;
      return allPrograms.sleep(context);
    };
    await withClient(
      async ({ client }) => {
        const first = await client.exec(['counted'], { processId: 'job-1' });
        const second = await client.exec(['counted'], { processId: 'job-1' });
        assert.equal(first.id, 'job-1');
        assert.equal(second.id, 'job-1');
        assert.equal(starts, 1);
        assert.equal((await client.list()).length, 1);
      },
      { programs: { counted } },
    );
  });

  it('retries a start that failed as unavailable, without starting twice', async () => {
    const host = memoryTransport({ programs: allPrograms });
    let failures = 2;
    const flaky: Transport = Object.assign(Object.create(host) as Transport, {
      async start(...args: Parameters<Transport['start']>) {
        const info = await host.start(...args);
        // The host started it but the answer was "lost": the retry must find the same process.
        if (failures-- > 0) throw new ProcwireError(ErrorCode.Unavailable, 'connection reset');
        return info;
      },
    });
    const retries: number[] = [];
    const client = createClient(flaky, { onRetry: (_error, attempt) => retries.push(attempt) });
    try {
      const p = await client.exec(['echo', 'once']);
      assert.equal(await p.stdout.read(), 'once\n');
      assert.deepEqual(retries, [1, 2]);
      assert.equal((await client.list()).length, 1);
    } finally {
      await client.close();
    }
  });

  it('generates distinct UUIDs as process ids, also without crypto.randomUUID', async () => {
    await withClient(async ({ client }) => {
      const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
      const a = await client.exec(['echo']);
      const original = Object.getOwnPropertyDescriptor(globalThis, 'crypto')!;
      const webCrypto = globalThis.crypto;
      // An insecure browser context: getRandomValues exists, randomUUID does not.
      Object.defineProperty(globalThis, 'crypto', {
        configurable: true,
        value: { getRandomValues: (array: Uint8Array) => webCrypto.getRandomValues(array) },
      });
      let b: Awaited<ReturnType<typeof client.exec>>;
      try {
        b = await client.exec(['echo']);
      } finally {
        Object.defineProperty(globalThis, 'crypto', original);
      }
      assert.match(a.id, uuid);
      assert.match(b.id, uuid);
      assert.notEqual(a.id, b.id);
    });
  });

  it('an unknown command is not_found naming it', async () => {
    await withClient(async ({ client }) => {
      await assert.rejects(
        client.exec(['no-such-command', 'arg']),
        (error) => isProcwireError(error, ErrorCode.NotFound) && error.message.includes('no-such-command'),
      );
    });
  });

  it('bad input gets invalid_argument or resource_exhausted, and the host keeps working', async () => {
    await withClient(
      async ({ client }) => {
        await assert.rejects(client.exec([]), (error) => isProcwireError(error, ErrorCode.InvalidArgument) && /argv/.test(error.message));
        await assert.rejects(client.exec('echo hi' as never), (error) => isProcwireError(error, ErrorCode.InvalidArgument) && /shell/.test(error.message));
        await assert.rejects(client.exec(['echo'], { processId: 'has space' }), (error) => isProcwireError(error, ErrorCode.InvalidArgument));
        await assert.rejects(client.exec(['echo', 'a\0b']), (error) => isProcwireError(error, ErrorCode.InvalidArgument) && /NUL/.test(error.message));
        await assert.rejects(client.exec(['echo', 'x'.repeat(2000)]), (error) => isProcwireError(error, ErrorCode.ResourceExhausted));
        await assert.rejects(client.exec(['echo'], { stdout: 'file' as 'pipe' }), (error) => isProcwireError(error, ErrorCode.InvalidArgument));
        await assert.rejects(client.get('nobody'), (error) => isProcwireError(error, ErrorCode.NotFound));
        const p = await client.exec(['echo', 'still fine']);
        assert.equal(await p.stdout.read(), 'still fine\n');
      },
      { maxArgvBytes: 1024 },
    );
  });

  it('refuses a process past maxProcesses with resource_exhausted', async () => {
    await withClient(
      async ({ client }) => {
        await client.exec(['sleep']);
        await assert.rejects(client.exec(['sleep']), (error) => isProcwireError(error, ErrorCode.ResourceExhausted));
      },
      { maxProcesses: 1 },
    );
  });

  it('pty: true means 80x24 xterm-256color; resize without a pty is failed_precondition', async () => {
    await withClient(async ({ client }) => {
      const p = await client.exec(['env'], { pty: true });
      assert.deepEqual((await p.info()).pty, { cols: 80, rows: 24, term: 'xterm-256color' });
      assert.match(await p.stdout.read(), /"TERM":"xterm-256color"/);
      const plain = await client.exec(['sleep']);
      await assert.rejects(plain.resize({ cols: 10, rows: 10 }), (error) => isProcwireError(error, ErrorCode.FailedPrecondition));
    });
  });

  it('pty options fill in the defaults they leave out, and info() follows resize()', async () => {
    await withClient(async ({ client }) => {
      const p = await client.exec(['tty'], { pty: { cols: 132 } });
      assert.deepEqual((await p.info()).pty, { cols: 132, rows: 24, term: 'xterm-256color' });
      await p.resize({ cols: 100, rows: 50 });
      assert.deepEqual((await p.info()).pty, { cols: 100, rows: 50, term: 'xterm-256color' });
      await assert.rejects(p.resize({ cols: 0, rows: 10 }), (error) => isProcwireError(error, ErrorCode.InvalidArgument));
      p.stdin.writeEof();
      assert.equal(await p.wait(), 7);
      assert.equal(await p.stdout.read(), 'size 132x24\nsize 100x50\n');
    });
  });

  it('merges env over the base environment (undefined removes a key) and passes cwd', async () => {
    await withClient(
      async ({ client }) => {
        const p = await client.exec(['env'], { env: { ADDED: '1', DROPPED: undefined }, cwd: '/work' });
        const [envLine, cwd] = (await p.stdout.read()).split('\n');
        assert.deepEqual(JSON.parse(envLine!), { KEPT: 'k', ADDED: '1' });
        assert.equal(cwd, '/work');
      },
      { baseEnv: { KEPT: 'k', DROPPED: 'd' } },
    );
  });

  it('get() re-attaches in bytes mode, and list() shows running and exited processes', async () => {
    await withClient(async ({ client }) => {
      const done = await client.exec(['echo', 'bytes']);
      await done.wait();
      const running = await client.exec(['sleep']);
      const again = await client.get(done.id, { text: false });
      assert.deepEqual(Buffer.from(await again.stdout.read()).toString(), 'bytes\n');
      assert.equal(again.returncode, 0, 'the exit is known from get()');
      const states = Object.fromEntries((await client.list()).map((info) => [info.id, info.state]));
      assert.deepEqual(states, { [done.id]: 'exited', [running.id]: 'running' });
    });
  });

  it('forgets an exited process after retentionMs', async () => {
    await withClient(
      async ({ client }) => {
        const p = await client.exec(['echo']);
        await p.wait();
        await new Promise((resolve) => setTimeout(resolve, 60));
        await assert.rejects(client.get(p.id), (error) => isProcwireError(error, ErrorCode.NotFound));
      },
      { retentionMs: 20 },
    );
  });

  it('a handle whose process the host no longer knows reports process_lost, not not_found', async () => {
    await withClient(
      async ({ client }) => {
        const p = await client.exec(['sleep'], { text: false });
        const other = await client.get(p.id);
        await p.kill('SIGKILL');
        assert.equal(await p.wait(), 137);
        await new Promise((resolve) => setTimeout(resolve, 60));
        const lost = (error: unknown) =>
          isProcwireError(error, ErrorCode.ProcessLost) && error.processId === p.id && /gone from the host/.test(error.message);
        await assert.rejects(other.wait(), lost);
        await assert.rejects(other.poll(), lost);
        await assert.rejects(other.stdout.read(), lost);
        await assert.rejects(other.kill(), lost);
      },
      { retentionMs: 20 },
    );
  });

  it('close() kills the processes it started and later calls fail with closed', async () => {
    const transport = memoryTransport({ programs: allPrograms });
    const client = createClient(transport);
    const p = await client.exec(['sleep']);
    const waiting = p.wait().catch((error: unknown) => error);
    await client.close();
    await client.close(); // idempotent
    assert.equal(await waiting, 137, 'the host killed the process when it closed');
    await assert.rejects(client.exec(['echo']), (error) => isProcwireError(error, ErrorCode.Closed));
  });
});

describe('memoryTransport ownership', () => {
  it("one principal never sees another's processes: they answer not_found", async () => {
    const host = memoryTransport({ programs: allPrograms });
    try {
      const request = { processId: 'shared-name', argv: ['sleep'], stdout: 'pipe', stderr: 'pipe' } as const;
      await host.start(request, { principal: 'alice' });
      const notFound = (error: unknown) => isProcwireError(error, ErrorCode.NotFound);
      await assert.rejects(host.get({ processId: 'shared-name' }, { principal: 'bob' }), notFound);
      await assert.rejects(host.signal({ processId: 'shared-name', signal: 'SIGKILL' }, { principal: 'bob' }), notFound);
      await assert.rejects(
        host.writeInput({ processId: 'shared-name', offset: 0, data: new Uint8Array(1), eof: false }, { principal: 'bob' }),
        notFound,
      );
      assert.deepEqual(await host.list({ principal: 'bob' }), []);
      // Bob may use the same id for a process of his own.
      await host.start(request, { principal: 'bob' });
      assert.equal((await host.list({ principal: 'alice' })).length, 1);
      assert.equal((await host.get({ processId: 'shared-name' }, { principal: 'alice' })).state, 'running');
    } finally {
      await host.close();
    }
  });
});
