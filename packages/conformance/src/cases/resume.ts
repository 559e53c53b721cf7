/** After the connection is cut, output and input resume from their offsets: nothing lost or repeated. */
import assert from 'node:assert/strict';
import { PatternVerifier, patternBytes } from '../commands/pattern.js';
import type { ConformanceCase } from '../harness/suite.js';

const MiB = 1024 * 1024;

export const resumeCases: ConformanceCase = (suite) => {
  suite.test('resume: 16 MiB of stdout arrive intact across several interruptions', { needs: ['resume'], timeoutMs: 90_000 }, async (context) => {
    const length = 16 * MiB;
    const interruptAt = [2 * MiB, 6 * MiB, 10 * MiB, 14 * MiB];
    let retries = 0;
    const client = context.client({ onRetry: () => void retries++ });
    const process = await client.exec(context.commands.writeBytes(length), { text: false });
    const verifier = new PatternVerifier('stdout across interruptions');
    let interruptions = 0;
    for await (const chunk of process.stdout) {
      verifier.push(chunk);
      if (interruptAt[0] !== undefined && verifier.offset >= interruptAt[0]) {
        interruptAt.shift();
        await context.interrupt();
        interruptions++;
      }
    }
    verifier.end(length);
    assert.equal(interruptions, 4);
    assert.equal(await process.wait(), 0);
    assert.ok(retries > 0, 'no call was retried: interrupt() did not cut the connection under test');
  });

  suite.test('resume: 4 MiB of stdin through cat arrive intact across several interruptions', { needs: ['resume'], timeoutMs: 90_000 }, async (context) => {
    const length = 4 * MiB;
    const piece = 64 * 1024;
    let retries = 0;
    const client = context.client({ onRetry: () => void retries++ });
    const process = await client.exec(context.commands.cat(), { text: false });
    const verifier = new PatternVerifier('stdin echoed by cat across interruptions');
    const reading = (async () => {
      for await (const chunk of process.stdout) verifier.push(chunk);
    })();
    const input = patternBytes(length);
    for (let offset = 0; offset < length; offset += piece) {
      process.stdin.write(input.slice(offset, offset + piece));
      // Cut once per MiB, while that MiB is still on its way, then let it through.
      if ((offset + piece) % MiB === 0) {
        await context.interrupt();
        await process.stdin.drain();
      }
    }
    process.stdin.writeEof();
    await process.stdin.drain();
    await reading;
    verifier.end(length);
    assert.equal(await process.wait(), 0);
    assert.equal((await process.info()).stdin.offset, length, 'the host counts a different number of stdin bytes');
    assert.ok(retries > 0, 'no call was retried: interrupt() did not cut the connection under test');
  });
};
