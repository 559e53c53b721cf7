import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createClient } from '@procwire/core';
import { type Stack, startStack } from './support/stack.js';

describe('a core client over grpcTransport reaches localTransport through serveGrpc', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({ tokens: { 'alice-token': 'alice' } });
  });
  after(() => stack.close());

  test('exec echoes stdout and stderr and reports the exit code', async () => {
    const client = createClient(stack.transport({ token: 'alice-token' }));
    const p = await client.exec(['sh', '-c', 'echo out; echo err >&2; exit 3']);
    const [stdout, stderr] = await Promise.all([p.stdout.read(), p.stderr.read()]);
    assert.equal(stdout, 'out\n');
    assert.equal(stderr, 'err\n');
    assert.equal(await p.wait(), 3);
  });

  test('tls: false is plaintext, like leaving tls out', async () => {
    const client = createClient(stack.transport({ token: 'alice-token', tls: false }));
    const p = await client.exec(['echo', 'plain']);
    assert.equal(await p.stdout.read(), 'plain\n');
    assert.equal(await p.wait(), 0);
  });

  test('stdin reaches cat and comes back, EOF included', async () => {
    const client = createClient(stack.transport({ token: 'alice-token' }));
    const p = await client.exec(['cat']);
    p.stdin.write('hello ');
    p.stdin.write(new TextEncoder().encode('world'));
    p.stdin.writeEof();
    await p.stdin.drain();
    assert.equal(await p.stdout.read(), 'hello world');
    assert.equal(await p.wait(), 0);
  });

  test('a signal ends the process with 128 + n and its name', async () => {
    const client = createClient(stack.transport({ token: 'alice-token' }));
    const p = await client.exec(['sleep', '30']);
    assert.equal(await p.poll(), null);
    await p.kill('SIGKILL');
    const status = await p.waitStatus();
    assert.equal(status.code, 137);
    assert.equal(status.signal, 'SIGKILL');
  });

  test('env entries are set and removed on the host', async () => {
    const client = createClient(stack.transport({ token: 'alice-token' }));
    const p = await client.exec(['sh', '-c', 'echo "$GREETING:$(printenv HOME || echo unset)"'], {
      env: { GREETING: 'hi', HOME: undefined },
    });
    assert.equal(await p.stdout.read(), 'hi:unset\n');
  });

  test('a pty process sees a terminal of the requested size and can be resized', async () => {
    const client = createClient(stack.transport({ token: 'alice-token' }));
    const p = await client.exec(['sh', '-c', 'stty size; read line; stty size'], { pty: { cols: 100, rows: 30 } });
    const reader = p.stdout[Symbol.asyncIterator]();
    let seen = '';
    while (!seen.includes('30 100')) {
      const next = await reader.next();
      assert.equal(next.done, false, `output ended before the size was printed: ${JSON.stringify(seen)}`);
      seen += next.value;
    }
    await p.resize({ cols: 120, rows: 40 });
    p.stdin.write('go\r');
    await p.stdin.drain();
    while (!seen.includes('40 120')) {
      const next = await reader.next();
      assert.equal(next.done, false, `output ended before the new size was printed: ${JSON.stringify(seen)}`);
      seen += next.value;
    }
    assert.equal(await p.wait(), 0);
  });

  test('list and get show the caller its processes; a timeout is reported as one', async () => {
    const client = createClient(stack.transport({ token: 'alice-token' }));
    const p = await client.exec(['sleep', '30'], { timeoutMs: 200 });
    const listed = await client.list();
    assert.ok(listed.some((info) => info.id === p.id));
    await assert.rejects(p.wait(), (error: Error & { code?: string; timedOut?: boolean }) => {
      assert.equal(error.code, 'timeout');
      return true;
    });
    const info = await p.info();
    assert.equal(info.state, 'exited');
    assert.equal(info.exit?.timedOut, true);
  });
});

describe('grpcTransport.close()', () => {
  test('ends calls in flight with closed, and the process keeps running on the host', async () => {
    const stack = await startStack({});
    try {
      const transport = stack.transport();
      const info = await transport.start({ processId: 'outlives', argv: ['sleep', '30'], stdout: 'pipe', stderr: 'pipe' });
      const waiting = transport.wait({ processId: info.processId }).catch((error: unknown) => error);
      const reading = (async () => {
        for await (const _chunk of transport.readOutput({ processId: info.processId, fd: 1, offset: 0 })) break;
      })().catch((error: unknown) => error);
      await new Promise((resolve) => setTimeout(resolve, 100));
      await transport.close();
      for (const outcome of await Promise.all([waiting, reading])) {
        assert.equal((outcome as { code?: string }).code, 'closed');
      }
      await assert.rejects(transport.list(), (error: { code?: string }) => error.code === 'closed');
      const other = stack.transport();
      assert.equal((await other.get({ processId: info.processId })).state, 'running');
      await other.signal({ processId: info.processId, signal: 'SIGKILL' });
    } finally {
      await stack.close();
    }
  });
});

describe('grpcTransport.writeInput', () => {
  test('a write larger than a message is sent in pieces and arrives whole', async () => {
    const stack = await startStack({});
    try {
      const transport = stack.transport();
      await transport.start({ processId: 'wc', argv: ['wc', '-c'], stdout: 'pipe', stderr: 'pipe' });
      const result = await transport.writeInput({
        processId: 'wc',
        offset: 0,
        data: new Uint8Array(9 * 1024 * 1024 + 3),
        eof: true,
      });
      assert.deepEqual(result, { offset: 9 * 1024 * 1024 + 3, eof: true });
      const client = createClient(transport);
      const p = await client.get('wc');
      assert.equal((await p.stdout.read()).trim(), String(9 * 1024 * 1024 + 3));
    } finally {
      await stack.close();
    }
  });
});
