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

  // Acks may be batched, but a consumer's progress reaches the host within a few milliseconds of
  // idle: a reader elsewhere continues after it instead of repeating it.
  suite.test('re-attach: a second client, 50 ms after the first consumed a line, reads only the rest', { timeoutMs: 20_000 }, async (context) => {
    const first = await context.client().exec(context.commands.cat(), { byLine: true });
    first.stdin.write('first\n');
    const lines = first.stdout[Symbol.asyncIterator]();
    assert.equal((await lines.next()).value, 'first\n');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const second = await context.client().get(first.id);
    second.stdin.write('second\n');
    second.stdin.writeEof();
    assert.equal(await second.stdout.read(), 'second\n', 'the second reader repeated what the first consumed');
    assert.equal(await second.wait(), 0);
  });

  suite.test('re-attach: get(id) on the client that consumed a line continues after it at once', { timeoutMs: 20_000 }, async (context) => {
    const client = context.client();
    const first = await client.exec(context.commands.cat(), { byLine: true });
    first.stdin.write('first\n');
    const lines = first.stdout[Symbol.asyncIterator]();
    assert.equal((await lines.next()).value, 'first\n');
    const again = await client.get(first.id);
    again.stdin.write('second\n');
    again.stdin.writeEof();
    assert.equal(await again.stdout.read(), 'second\n', 'the new handle repeated what this client consumed');
    assert.equal(await again.wait(), 0);
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
