import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withClient } from './harness.js';

const KiB = 1024;

describe('backpressure', () => {
  it('a slow consumer keeps the bytes the host retains within the window', async () => {
    const windowBytes = 64 * KiB;
    const chunkBytes = 16 * KiB;
    await withClient(
      async ({ client, transport }) => {
        const total = 2 * 1024 * KiB;
        const p = await client.exec(['produce', String(total), String(chunkBytes)], { text: false });
        let consumed = 0;
        let maxRetained = 0;
        let maxAhead = 0;
        for await (const chunk of p.stdout) {
          consumed += chunk.byteLength;
          const { stdout } = await transport.get({ processId: p.id });
          maxRetained = Math.max(maxRetained, stdout.written - stdout.acknowledged);
          maxAhead = Math.max(maxAhead, stdout.written - consumed);
          if (consumed % (256 * KiB) === 0) await new Promise((resolve) => setTimeout(resolve, 5));
        }
        assert.equal(consumed, total);
        // The window plus the one chunk a blocked write had already handed over.
        assert.ok(maxRetained <= windowBytes + chunkBytes, `host retained ${maxRetained} bytes`);
        assert.ok(maxAhead <= windowBytes + chunkBytes, `the program ran ${maxAhead} bytes ahead of the consumer`);
        assert.equal(await p.wait(), 0);
      },
      { outputWindowBytes: windowBytes },
    );
  });

  it('an unread stream pauses the program instead of dropping output', async () => {
    await withClient(
      async ({ client, transport }) => {
        const p = await client.exec(['produce', String(1024 * KiB), String(8 * KiB)], { text: false });
        await new Promise((resolve) => setTimeout(resolve, 30));
        const before = await transport.get({ processId: p.id });
        assert.equal(before.state, 'running');
        assert.ok(before.stdout.written <= 32 * KiB + 8 * KiB, `wrote ${before.stdout.written} bytes with nobody reading`);
        assert.equal((await p.stdout.read()).byteLength, 1024 * KiB);
        assert.equal(await p.wait(), 0);
      },
      { outputWindowBytes: 32 * KiB },
    );
  });
});
