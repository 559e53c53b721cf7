import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode, isProcwireError, otherSignal, type ProcwireError } from '@procwire/core';
import { withClient } from './harness.js';

describe('ContainerProcess exit', () => {
  it('reports the exit codes 0, 1 and 255 as the program gave them', async () => {
    await withClient(async ({ client }) => {
      for (const code of [0, 1, 255]) {
        const p = await client.exec(['exit', String(code)]);
        assert.equal(await p.wait(), code);
        assert.equal(p.returncode, code);
      }
    });
  });

  it('returncode throws failed_precondition with a clear message until the exit is known', async () => {
    await withClient(async ({ client }) => {
      const p = await client.exec(['sleep']);
      assert.throws(
        () => p.returncode,
        (error) => isProcwireError(error, ErrorCode.FailedPrecondition) && /wait\(\)/.test(error.message),
      );
      await p.kill('SIGKILL');
      await p.wait();
      assert.equal(p.returncode, 137);
    });
  });

  it('poll() is null while running, the code after exit, and sets returncode', async () => {
    await withClient(async ({ client }) => {
      const p = await client.exec(['sleep']);
      assert.equal(await p.poll(), null);
      await p.kill('SIGTERM');
      let code: number | null = null;
      for (let i = 0; i < 1000 && code === null; i++) {
        code = await p.poll();
        if (code === null) await new Promise((resolve) => setTimeout(resolve, 2));
      }
      assert.equal(code, 143);
      assert.equal(p.returncode, 143);
    });
  });

  it('a process ended by a signal exits with 128 + n and names the signal', async () => {
    await withClient(async ({ client }) => {
      for (const [signal, code] of [
        ['SIGTERM', 143],
        ['SIGKILL', 137],
        ['SIGINT', 130],
        ['SIGHUP', 129],
        ['SIGUSR1', 138],
      ] as const) {
        const p = await client.exec(['sleep']);
        await p.kill(signal);
        assert.deepEqual(await p.waitStatus(), { code, signal });
        assert.equal(await p.wait(), code);
      }
    });
  });

  it('kill() defaults to SIGTERM; a handler catches signals but never SIGKILL', async () => {
    await withClient(async ({ client }) => {
      const p = await client.exec(['trap'], { byLine: true });
      const lines = p.stdout[Symbol.asyncIterator]();
      assert.equal((await lines.next()).value, 'ready\n');
      await p.kill();
      assert.equal((await lines.next()).value, 'caught SIGTERM\n');
      assert.equal(await p.poll(), null, 'a caught SIGTERM does not end the process');
      await p.kill('SIGKILL');
      assert.deepEqual(await p.waitStatus(), { code: 137, signal: 'SIGKILL' });
    });
  });

  it('an unknown signal name is invalid_argument', async () => {
    await withClient(async ({ client }) => {
      const p = await client.exec(['sleep']);
      await assert.rejects(p.kill(otherSignal('SIGNOPE')), (error) => isProcwireError(error, ErrorCode.InvalidArgument));
      await assert.rejects(p.kill('TERM' as 'SIGTERM'), (error) => isProcwireError(error, ErrorCode.InvalidArgument));
      assert.equal(await p.poll(), null);
    });
  });

  it('a timeout kills the process and wait() rejects with a timeout error carrying the code', async () => {
    await withClient(async ({ client }) => {
      const p = await client.exec(['sleep'], { timeoutMs: 30 });
      const error = (await p.wait().catch((caught: unknown) => caught)) as ProcwireError;
      assert.ok(isProcwireError(error, ErrorCode.Timeout), String(error));
      assert.equal(error.exitCode, 143);
      assert.equal(error.signal, 'SIGTERM');
      assert.equal(error.timedOut, true);
      assert.equal(error.processId, p.id);
      assert.deepEqual(error.argv, ['sleep']);
      assert.match(error.message, /timed out after 30 ms/);
      assert.deepEqual(await p.waitStatus(), { code: 143, signal: 'SIGTERM', timedOut: true });
      assert.equal(p.returncode, 143);
    });
  });

  it('a timeout sends SIGKILL after the grace when SIGTERM is caught', async () => {
    await withClient(
      async ({ client }) => {
        const p = await client.exec(['trap'], { timeoutMs: 20 });
        await assert.rejects(p.wait(), (error) => isProcwireError(error, ErrorCode.Timeout) && error.exitCode === 137);
        assert.equal(await p.stdout.read(), 'ready\ncaught SIGTERM\n');
      },
      { killGraceMs: 30 },
    );
  });

  it('aborting the exec signal kills the process and wait() rejects with aborted carrying the code', async () => {
    await withClient(async ({ client }) => {
      const controller = new AbortController();
      const p = await client.exec(['sleep'], { signal: controller.signal });
      controller.abort();
      const error = (await p.wait().catch((caught: unknown) => caught)) as ProcwireError;
      assert.ok(isProcwireError(error, ErrorCode.Aborted), String(error));
      assert.equal(error.exitCode, 137);
      assert.equal(error.signal, 'SIGKILL');
      assert.equal(await p.stdout.read(), 'ready\n', 'output written before the abort is still there');
    });
  });

  it('an already-aborted signal rejects exec and starts nothing', async () => {
    await withClient(async ({ client }) => {
      await assert.rejects(
        client.exec(['sleep'], { signal: AbortSignal.abort() }),
        (error) => isProcwireError(error, ErrorCode.Aborted),
      );
      assert.deepEqual(await client.list(), []);
    });
  });

  it('a program that throws ends with code 1 and its message on stderr', async () => {
    await withClient(async ({ client }) => {
      const p = await client.exec(['crash']);
      assert.equal(await p.wait(), 1);
      assert.equal(await p.stderr.read(), 'crash: boom\n');
    });
  });

  it('asyncDispose kills a running process', async () => {
    await withClient(async ({ client }) => {
      const p = await client.exec(['sleep']);
      await p[Symbol.asyncDispose]();
      const again = await client.get(p.id);
      assert.deepEqual(await again.waitStatus(), { code: 137, signal: 'SIGKILL' });
    });
  });
});
