import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createClient } from '@procwire/core';
import { isProcwireError } from '@procwire/core/transport';
import { type Stack, startStack } from './support/stack.js';

const MiB = 1024 * 1024;
const fileBytes = 64 * MiB;
const stdinBytes = 16 * MiB;
const cutEvery = 6 * MiB;

describe('resume across cut connections', () => {
  let stack: Stack;
  let dir: string;
  before(async () => {
    stack = await startStack({ tokens: { 'resume-token': 'dave' }, proxy: true });
    dir = mkdtempSync(join(tmpdir(), 'procwire-grpc-resume-'));
  });
  after(async () => {
    await stack.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('64 MiB of stdout and 16 MiB of stdin through cat survive 10+ cuts byte for byte', { timeout: 120_000 }, async () => {
    const file = randomBytes(fileBytes);
    const path = join(dir, 'stdout.bin');
    writeFileSync(path, file);
    const input = randomBytes(stdinBytes);
    const expected = createHash('sha256').update(file).update(input).digest('hex');

    const client = createClient(stack.transport({ token: 'resume-token' }), { retryTimeoutMs: 60_000 });
    // cat prints the file, then echoes stdin: the stdout is file ++ input.
    const p = await client.exec(['sh', '-c', 'cat "$1" -; exit 7', 'sh', path], { text: false });

    const writing = (async () => {
      for (let start = 0; start < input.byteLength; start += 256 * 1024) {
        p.stdin.write(input.subarray(start, start + 256 * 1024));
        await p.stdin.drain();
      }
      p.stdin.writeEof();
      await p.stdin.drain();
    })();

    const received = createHash('sha256');
    let total = 0;
    let nextCut = cutEvery;
    let cuts = 0;
    for await (const chunk of p.stdout) {
      received.update(chunk);
      total += chunk.byteLength;
      if (total >= nextCut) {
        nextCut += cutEvery;
        cuts += stack.proxy!.cutAll() > 0 ? 1 : 0;
      }
    }
    await writing;
    assert.equal(await p.wait(), 7);
    assert.equal(total, fileBytes + stdinBytes, 'byte count: nothing lost or duplicated');
    assert.equal(received.digest('hex'), expected, 'sha256 equal at both ends');
    assert.ok(cuts >= 10, `the connection was cut ${cuts} times`);
    assert.ok(stack.proxy!.stats.accepted > cuts, 'the client reconnected after every cut');
  });

  test('keepalive notices a connection that stopped carrying bytes; calls then work again', { timeout: 60_000 }, async () => {
    const transport = stack.transport({
      token: 'resume-token',
      channelOptions: { 'grpc.keepalive_time_ms': 500, 'grpc.keepalive_timeout_ms': 500 },
    });
    const info = await transport.start({ processId: 'stalled', argv: ['sleep', '30'], stdout: 'pipe', stderr: 'pipe' });
    const proxy = stack.proxy!;
    proxy.setStall(true);
    try {
      await assert.rejects(transport.wait({ processId: info.processId }), (error) => isProcwireError(error, 'unavailable'));
    } finally {
      proxy.setStall(false);
    }
    const client = createClient(transport);
    const p = await client.get(info.processId);
    await p.kill('SIGKILL');
    assert.equal(await p.wait(), 137);
  });
});
