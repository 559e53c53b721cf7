import assert from 'node:assert/strict';
import { PassThrough, Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, it } from 'node:test';
import { nodeTerminal, toNodeReadable, toNodeWritable } from '@procwire/core/node';
import { withClient } from './harness.js';

describe('@procwire/core/node', () => {
  it('toNodeWritable and toNodeReadable pipe data through a process with EOF', async () => {
    await withClient(async ({ client }) => {
      const p = await client.exec(['cat'], { text: false });
      const source = Readable.from([Buffer.from('one '), Buffer.from('two '), Buffer.from('three')]);
      const received: Buffer[] = [];
      const sink = new Writable({
        write(chunk: Buffer, _encoding, callback) {
          received.push(chunk);
          callback();
        },
      });
      await Promise.all([pipeline(source, toNodeWritable(p.stdin)), pipeline(toNodeReadable(p.stdout), sink)]);
      assert.equal(Buffer.concat(received).toString(), 'one two three');
      assert.equal(await p.wait(), 0);
    });
  });

  it('nodeTerminal attaches over plain streams: keys in, output out, EOF at the end of input', async () => {
    await withClient(async ({ client }) => {
      const input = new PassThrough();
      const output = Object.assign(new PassThrough(), { columns: 132, rows: 43 });
      const shown: Buffer[] = [];
      output.on('data', (chunk: Buffer) => shown.push(chunk));
      const terminal = nodeTerminal({ input, output });
      assert.deepEqual(terminal.size, { cols: 132, rows: 43 });
      const p = await client.exec(['tty'], { pty: true });
      const attached = p.attach({ terminal });
      input.write('typed');
      input.end();
      assert.equal(await attached, 7);
      const screen = Buffer.concat(shown).toString();
      assert.match(screen, /size 132x43\n/);
      assert.match(screen, /typed/);
    });
  });

  it('nodeTerminal sets raw mode on a TTY and puts it back on close', () => {
    const modes: boolean[] = [];
    const input = Object.assign(new PassThrough(), {
      isTTY: true,
      isRaw: false,
      setRawMode(mode: boolean) {
        modes.push(mode);
      },
    });
    const output = new PassThrough();
    const terminal = nodeTerminal({ input, output });
    terminal.setRawMode(true);
    let sizes = 0;
    const unsubscribe = terminal.onResize(() => sizes++);
    Object.assign(output, { columns: 10, rows: 5 });
    output.emit('resize');
    unsubscribe();
    output.emit('resize');
    terminal.close();
    assert.deepEqual(modes, [true, false]);
    assert.equal(sizes, 1);
  });
});
