/** `drain()` resolves when the host has accepted everything written, EOF included. */
import assert from 'node:assert/strict';
import { PatternVerifier, patternBytes } from '../commands/pattern.js';
import type { ConformanceCase } from '../harness/suite.js';

export const drainCases: ConformanceCase = (suite) => {
  suite.test('drain: after drain() the host has every byte written and the EOF', { timeoutMs: 30_000 }, async (context) => {
    const length = 1024 * 1024;
    const piece = 64 * 1024;
    const process = await context.client().exec(context.commands.cat(), { text: false });
    const verifier = new PatternVerifier('stdout of cat');
    const reading = (async () => {
      for await (const chunk of process.stdout) verifier.push(chunk);
    })();
    const input = patternBytes(length);
    for (let offset = 0; offset < length; offset += piece) process.stdin.write(input.slice(offset, offset + piece));
    process.stdin.writeEof();
    await process.stdin.drain();
    const info = await process.info();
    assert.equal(info.stdin.offset, length, 'the host has not accepted every byte after drain()');
    assert.equal(info.stdin.eof, true, 'the host has not accepted the EOF after drain()');
    await reading;
    verifier.end(length);
    assert.equal(await process.wait(), 0);
  });

  suite.test('drain: with nothing written, drain() resolves', { timeoutMs: 20_000 }, async (context) => {
    const process = await context.client().exec(context.commands.cat());
    await process.stdin.drain();
    assert.equal(await process.poll(), null, 'cat ended although its stdin is open');
    process.stdin.writeEof();
    await process.stdin.drain();
    assert.equal(await process.stdout.read(), '');
    assert.equal(await process.wait(), 0);
  });
};
