/** A process in a pseudo-terminal: a tty, stderr merged into stdout, a size that follows resize(). */
import assert from 'node:assert/strict';
import { readRest, readUntil } from '../harness/read-until.js';
import type { ConformanceCase } from '../harness/suite.js';

/** Terminal output without the `\r` a terminal adds before each `\n`. */
function withoutCarriageReturns(text: string): string {
  return text.replaceAll('\r', '');
}

/** The `<rows> <cols>` lines `terminalSize()` printed (echoed input holds no digits). */
function sizesIn(text: string): string[] {
  return Array.from(text.matchAll(/(\d+) (\d+)\r?\n/g), (match) => `${match[1]} ${match[2]}`);
}

export const ptyCases: ConformanceCase = (suite) => {
  suite.test('pty: stdin and stdout are terminals (and are not without pty)', { needs: ['pty'], timeoutMs: 20_000 }, async (context) => {
    const client = context.client();
    const inPty = await client.exec(context.commands.isatty(), { pty: true });
    assert.equal(withoutCarriageReturns(await inPty.stdout.read()), 'tty\n');
    assert.equal(await inPty.wait(), 0);
    const inPipes = await client.exec(context.commands.isatty());
    assert.equal(await inPipes.stdout.read(), 'notty\n');
  });

  suite.test('pty: stderr is merged into stdout and stderr is empty', { needs: ['pty'], timeoutMs: 20_000 }, async (context) => {
    const process = await context.client().exec(context.commands.echoBoth('to stdout|', 'to stderr'), { pty: true });
    const [stdout, stderr] = await Promise.all([process.stdout.read(), process.stderr.read()]);
    assert.equal(withoutCarriageReturns(stdout), 'to stdout|to stderr');
    assert.equal(stderr, '');
    assert.equal(await process.wait(), 0);
  });

  suite.test('pty: pty: true is 24 rows by 80 columns', { needs: ['pty'], timeoutMs: 20_000 }, async (context) => {
    const process = await context.client().exec(context.commands.terminalSize(), { pty: true });
    const stdout = process.stdout[Symbol.asyncIterator]();
    await readUntil(stdout, (text) => /\b24 80\r?\n/.test(text), 'the size of a default pty');
    process.stdin.write('exit\n');
    await readRest(stdout);
    assert.equal(await process.wait(), 0);
  });

  suite.test('pty: stty size shows the requested size and follows resize()', { needs: ['pty'], timeoutMs: 20_000 }, async (context) => {
    const process = await context.client().exec(context.commands.terminalSize(), { pty: { cols: 91, rows: 27 } });
    const stdout = process.stdout[Symbol.asyncIterator]();
    const before = await readUntil(stdout, (text) => sizesIn(text).length >= 1, 'the size of a 91x27 pty');
    assert.deepEqual(sizesIn(before), ['27 91']);
    await process.resize({ cols: 120, rows: 40 });
    process.stdin.write('size\n');
    const after = await readUntil(stdout, (text) => sizesIn(text).length >= 1, 'the size after resize()');
    assert.deepEqual(sizesIn(after), ['40 120'], 'stty size after resize({ cols: 120, rows: 40 })');
    process.stdin.write('exit\n');
    await readRest(stdout);
    assert.equal(await process.wait(), 0);
  });
};
