/** The exit is reported only once both output streams reached EOF: nothing arrives after it. */
import assert from 'node:assert/strict';
import { PatternVerifier } from '../commands/pattern.js';
import type { ConformanceCase } from '../harness/suite.js';

const CARRIAGE_RETURN = 0x0d;

export const outputBeforeExitCases: ConformanceCase = (suite) => {
  suite.test('output before exit: after wait() the host has every byte, then read() gets them all', { timeoutMs: 30_000 }, async (context) => {
    const length = 512 * 1024;
    const process = await context.client().exec(context.commands.writeBytes(length), { text: false });
    assert.equal(await process.wait(), 0);
    const info = await process.info();
    assert.equal(info.state, 'exited');
    assert.deepEqual([info.stdout.eof, info.stdout.written], [true, length], 'stdout was not at EOF when the exit was reported');
    assert.equal(info.stderr.eof, true, 'stderr was not at EOF when the exit was reported');
    const verifier = new PatternVerifier('stdout read after wait()');
    verifier.push(await process.stdout.read());
    verifier.end(length);
  });

  suite.test('output before exit: in a pty the tail of a fast writer is not lost at exit', { needs: ['pty'], timeoutMs: 60_000 }, async (context) => {
    // node-pty reports exit before the last data (node-pty #72); the host must wait for EOF.
    // Far more than a pty buffers, written as fast as the process can.
    const length = 512 * 1024;
    for (let run = 1; run <= 3; run++) {
      const process = await context.client().exec(context.commands.writeBytes(length), { text: false, pty: true });
      const verifier = new PatternVerifier(`pty output, run ${run} (without the \\r a terminal adds)`);
      for await (const chunk of process.stdout) verifier.push(chunk.filter((byte) => byte !== CARRIAGE_RETURN));
      verifier.end(length);
      assert.equal(await process.wait(), 0);
    }
  });
};
