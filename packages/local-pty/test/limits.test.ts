/**
 * Limits at start: env size, timers Node can keep, and strings the kernel refuses to exec (E2BIG),
 * each answered with an error naming what was wrong, in every mode.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { StartRequest, Transport } from '@procwire/core/transport';
import { localTransport } from '@procwire/local-pty';
import { nextId, pipeRequest, pipeSpawnModes, ptyRequest, run } from './helpers.js';

const KiB = 1024;
const modes = [
  ...pipeSpawnModes.map(({ name, options }) => ({ name: `pipe through ${name}`, make: pipeRequest, spawn: options })),
  { name: 'pty', make: ptyRequest, spawn: {} },
] as const;

describe('limits: options', () => {
  test('every duration option must be an integer in 1..2^31-1 ms', () => {
    for (const name of ['retentionMs', 'killGraceMs'] as const) {
      for (const value of [0, 2 ** 31, 1.5]) {
        assert.throws(() => localTransport({ [name]: value }), {
          code: 'invalid_argument',
          message: new RegExp(`^localTransport option ${name} must be an integer number of milliseconds in 1\\.\\.2147483647`),
        });
      }
    }
    assert.throws(() => localTransport({ maxEnvBytes: -1 }), { code: 'invalid_argument', message: /maxEnvBytes/ });
  });
});

for (const { name, make, spawn } of modes) {
  describe(`limits: ${name}`, () => {
    let transport: Transport;
    before(() => {
      transport = localTransport({ ...spawn, maxArgvBytes: 8 * 1024 * KiB, maxEnvBytes: 8 * 1024 * KiB });
    });
    after(() => transport.close());

    test('a 30-day timeout is refused, not fired at once; the longest one is kept', async () => {
      await assert.rejects(transport.start(make(nextId('t'), ['true'], { timeoutMs: 30 * 24 * 3600 * 1000 })), {
        code: 'invalid_argument',
        message: /^timeoutMs must be/,
      });
      const { status } = await run(transport, make(nextId('t'), ['sleep', '0.3'], { timeoutMs: 2 ** 31 - 1 }));
      assert.deepEqual(status, { code: 0 });
    });

    test('an argument over the kernel limit for one string is invalid_argument naming it', async () => {
      const request: StartRequest = make(nextId('big'), ['echo', 'ok', 'x'.repeat(200 * KiB)]);
      await assert.rejects(transport.start(request), {
        code: 'invalid_argument',
        message: "argv[2] is 204801 bytes, over the kernel's limit of 131072 bytes for one argument",
      });
      // Just under it runs.
      const { status } = await run(transport, make(nextId('fits'), ['true', 'x'.repeat(128 * KiB - 1)]));
      assert.equal(status.code, 0);
    });

    test('an environment variable over the kernel limit is invalid_argument naming it', async () => {
      await assert.rejects(transport.start(make(nextId('env'), ['true'], { env: { HUGE: 'y'.repeat(200 * KiB) } })), {
        code: 'invalid_argument',
        message: "env HUGE is 204806 bytes (KEY=VALUE), over the kernel's limit of 131072 bytes for one variable",
      });
    });

    if (make === pipeRequest) {
      test('argv and env too big together for the kernel (E2BIG) is invalid_argument, not internal', async () => {
        // 40 arguments of 100 KiB: each fits, the 4 MB together do not (the kernel's limit is a
        // quarter of the stack limit, 2 MiB by default).
        const argv = ['true', ...Array.from({ length: 40 }, () => 'z'.repeat(100 * KiB))];
        await assert.rejects(transport.start(make(nextId('e2big'), argv)), {
          code: 'invalid_argument',
          message: /too long for the kernel \(E2BIG\)/,
        });
        const { status } = await run(transport, make(nextId('after'), ['true']));
        assert.equal(status.code, 0, 'the host runs on');
      });
    }

    test('an env over maxEnvBytes is resource_exhausted naming the limit and the size', async () => {
      const small = localTransport({ ...spawn, maxEnvBytes: 1024 });
      try {
        await assert.rejects(small.start(make(nextId('env'), ['true'], { env: { A: 'a'.repeat(2000) } })), {
          code: 'resource_exhausted',
          message: 'env is 2003 bytes (KEY=VALUE and a NUL each), over the limit of 1024 bytes',
        });
      } finally {
        await small.close();
      }
    });
  });
}
