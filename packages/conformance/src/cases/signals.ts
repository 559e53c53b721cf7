/** A process ended by a signal exits with 128 + n and reports the signal's name. */
import assert from 'node:assert/strict';
import { delay } from '../harness/delay.js';
import { readUntil } from '../harness/read-until.js';
import type { ConformanceCase } from '../harness/suite.js';

export const signalCases: ConformanceCase = (suite) => {
  for (const [signal, code] of [
    ['SIGTERM', 143],
    ['SIGKILL', 137],
  ] as const) {
    suite.test(`signals: kill('${signal}') ends the process with ${code}`, { needs: ['signals'], timeoutMs: 20_000 }, async (context) => {
      const process = await context.client().exec(context.commands.sleep(60));
      assert.equal(await process.poll(), null);
      await process.kill(signal);
      assert.equal(await process.wait(), code);
      const status = await process.waitStatus();
      assert.equal(status.code, code);
      assert.equal(status.signal, signal);
    });
  }

  suite.test('signals: kill() defaults to SIGTERM', { needs: ['signals'], timeoutMs: 20_000 }, async (context) => {
    const process = await context.client().exec(context.commands.sleep(60));
    await process.kill();
    assert.equal(await process.wait(), 143);
    assert.equal((await process.waitStatus()).signal, 'SIGTERM');
  });

  suite.test('signals: a process that ignores SIGTERM runs on until SIGKILL', { needs: ['signals'], timeoutMs: 20_000 }, async (context) => {
    const process = await context.client().exec(context.commands.ignoreTerm());
    const stdout = process.stdout[Symbol.asyncIterator]();
    await readUntil(stdout, (text) => text.includes('ready\n'), 'ignoreTerm() output');
    await process.kill('SIGTERM');
    await delay(300, context.signal);
    assert.equal(await process.poll(), null, 'SIGTERM ended a process that ignores it');
    await process.kill('SIGKILL');
    assert.equal(await process.wait(), 137);
    assert.equal((await process.waitStatus()).signal, 'SIGKILL');
    await stdout.return?.();
  });
};
