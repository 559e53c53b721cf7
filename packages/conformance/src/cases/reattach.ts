/** `client.get(id)` re-attaches to a running or exited process from another client. */
import assert from 'node:assert/strict';
import type { ConformanceCase } from '../harness/suite.js';

export const reattachCases: ConformanceCase = (suite) => {
  suite.test('re-attach: get(id) from a second client continues stdin and output', { timeoutMs: 20_000 }, async (context) => {
    const first = await context.client().exec(context.commands.cat());
    first.stdin.write('one\n');
    await first.stdin.drain();
    const second = await context.client().get(first.id);
    assert.equal(second.id, first.id);
    assert.equal(await second.poll(), null);
    second.stdin.write('two\n');
    second.stdin.writeEof();
    await second.stdin.drain();
    assert.equal(await second.stdout.read(), 'one\ntwo\n');
    assert.equal(await second.wait(), 0);
    assert.equal(await first.wait(), 0);
  });

  suite.test('re-attach: get(id) of an exited process gives its exit code', { timeoutMs: 20_000 }, async (context) => {
    const first = await context.client().exec(context.commands.exitWith(5));
    assert.equal(await first.wait(), 5);
    const again = await context.client().get(first.id);
    assert.equal(await again.wait(), 5);
    assert.equal(again.returncode, 5);
  });

  suite.test('re-attach: get(id, { text: false }) reads bytes', { timeoutMs: 20_000 }, async (context) => {
    const first = await context.client().exec(context.commands.echoBoth('bytes', ''));
    assert.equal(await first.wait(), 0);
    const again = await context.client().get(first.id, { text: false });
    const stdout = await again.stdout.read();
    assert.ok(stdout instanceof Uint8Array, 'get(id, { text: false }) does not read bytes');
    assert.equal(Buffer.from(stdout).toString('utf8'), 'bytes');
  });
};
