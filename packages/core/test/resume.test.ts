import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { withClient } from './harness.js';
import { patternBytes } from './programs.js';

const MiB = 1024 * 1024;

describe('resume after a cut connection', () => {
  it('reads stdout to the end byte-exact while the connection is cut again and again', async () => {
    let retries = 0;
    await withClient(
      async ({ client, transport }) => {
        const size = 8 * MiB;
        const p = await client.exec(['produce', String(size), '65536'], { text: false });
        const hash = createHash('sha256');
        let received = 0;
        let nextCut = MiB;
        // Cuts both while the reader holds a chunk (below) and while it waits for the host (timer).
        const timer = setInterval(() => transport.interrupt(), 3);
        try {
          for await (const chunk of p.stdout) {
            hash.update(chunk);
            received += chunk.byteLength;
            if (received >= nextCut) {
              transport.interrupt();
              nextCut += MiB;
            }
          }
        } finally {
          clearInterval(timer);
        }
        assert.equal(received, size);
        assert.equal(hash.digest('hex'), sha256(patternBytes(0, size)));
        assert.equal(await p.wait(), 0);
        assert.ok(retries >= 8, `the reader reconnected (${retries} retries)`);
      },
      { outputWindowBytes: 256 * 1024 },
      { onRetry: () => retries++ },
    );
  });

  it('writes stdin exactly once across cuts (no loss, no duplicate)', async () => {
    await withClient(
      async ({ client, transport }) => {
        const size = 4 * MiB;
        const payload = patternBytes(0, size);
        const p = await client.exec(['cat'], { text: false });
        const output = p.stdout.read();
        const timer = setInterval(() => transport.interrupt(), 2);
        try {
          for (let offset = 0; offset < size; offset += 100_000) p.stdin.write(payload.subarray(offset, offset + 100_000));
          p.stdin.writeEof();
          await p.stdin.drain();
          const received = await output;
          assert.equal(received.byteLength, size);
          assert.equal(sha256(received), sha256(payload));
        } finally {
          clearInterval(timer);
        }
        assert.equal(await p.wait(), 0);
      },
      { inputBufferBytes: 64 * 1024, outputWindowBytes: 64 * 1024 },
    );
  });

  it('wait() survives a cut while it is waiting', async () => {
    await withClient(async ({ client, transport }) => {
      const p = await client.exec(['sleep']);
      const waiting = p.wait();
      await new Promise((resolve) => setTimeout(resolve, 10));
      transport.interrupt();
      await new Promise((resolve) => setTimeout(resolve, 10));
      await p.kill('SIGKILL');
      assert.equal(await waiting.catch(() => 'rejected'), 137);
    });
  });

  it('re-attaching with get() continues from what was acknowledged', async () => {
    await withClient(
      async ({ client }) => {
        const p = await client.exec(['chunks', 'first\n', 'second\n', 'third\n'], { byLine: true });
        const lines = p.stdout[Symbol.asyncIterator]();
        assert.equal((await lines.next()).value, 'first\n');
        assert.equal((await lines.next()).value, 'second\n');
        // The first reader went away after taking two lines (its acks are sent one at a time).
        await new Promise((resolve) => setTimeout(resolve, 20));
        const again = await client.get(p.id);
        assert.equal(await again.stdout.read(), 'third\n');
        assert.equal(await again.wait(), 0);
      },
      { outputWindowBytes: 1 },
    );
  });

  it('a long wait() cut again and again is retried each time (the budget counts time without a connection)', async () => {
    await withClient(
      async ({ client, transport }) => {
        const p = await client.exec(['sleep']);
        const waiting = p.wait();
        // Checked at the end; a rejection before then must not count as unhandled.
        waiting.catch(() => {});
        // Each cut comes well after the budget (200 ms) plus the longest first backoff (50 ms): every
        // attempt outlives the budget, so each cut is retried, however late a loaded machine runs
        // the timers. (At 250 ms apart, an attempt started late could last under 200 ms.)
        for (let cut = 0; cut < 3; cut++) {
          await new Promise((resolve) => setTimeout(resolve, 400));
          transport.interrupt();
        }
        await p.kill('SIGKILL');
        assert.equal(await waiting, 137);
      },
      {},
      { retryTimeoutMs: 200 },
    );
  });

  it('gives up after retryTimeoutMs when the host stays unreachable', async () => {
    await withClient(
      async ({ client, transport }) => {
        const p = await client.exec(['sleep']);
        const timer = setInterval(() => transport.interrupt(), 1);
        try {
          await assert.rejects(p.wait(), (error) => (error as { code?: string }).code === 'unavailable');
        } finally {
          clearInterval(timer);
        }
      },
      {},
      { retryTimeoutMs: 200 },
    );
  });
});

function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}
