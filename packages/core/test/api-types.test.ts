// The user API's types refuse what would fail at run time (test:build typechecks this file: each
// `@ts-expect-error` fails the build if the line after it compiles), and its names agree at run time.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode, isProcwireError, otherSignal, type ProcessDetails, type SignalName } from '@procwire/core';
import { withClient } from './harness.js';

describe('API types and names', () => {
  it('list() items and info() carry the id the handle has; times are milliseconds', async () => {
    await withClient(async ({ client }) => {
      const before = Date.now();
      const p = await client.exec(['sleep']);
      const listed: ProcessDetails[] = await client.list();
      assert.deepEqual(
        listed.map((item) => item.id),
        [p.id],
      );
      // @ts-expect-error: `processId` is the transport's name; users see `id` everywhere.
      assert.equal(listed[0]?.processId, undefined);
      const info = await p.info();
      assert.equal(info.id, p.id);
      assert.ok(typeof info.startedAt === 'number' && info.startedAt >= before - 1000 && info.startedAt <= Date.now());
      await p.kill('SIGKILL');
    });
  });

  it('kill() takes known signal names, and others only through otherSignal()', async () => {
    await withClient(async ({ client }) => {
      const p = await client.exec(['sleep']);
      // @ts-expect-error: a typo of a signal name does not compile.
      const typo: SignalName = 'SIGFOO';
      assert.equal(typo, 'SIGFOO');
      await assert.rejects(p.kill(otherSignal('SIGFOO')), (error) => isProcwireError(error, ErrorCode.InvalidArgument));
      assert.equal(await p.poll(), null);
      await p.kill('SIGKILL');
      assert.equal(await p.wait(), 137);
    });
  });

  it('{ text: false, byLine: true } does not compile, and is invalid_argument at run time', async () => {
    await withClient(async ({ client }) => {
      // @ts-expect-error: lines are split from text, so bytes by line is refused by the types.
      const exec = client.exec(['echo', 'x'], { text: false, byLine: true });
      await assert.rejects(exec, (error) => isProcwireError(error, ErrorCode.InvalidArgument));
      const p = await client.exec(['echo', 'x'], { text: false });
      const bytes: Uint8Array = await p.stdout.read();
      assert.ok(bytes instanceof Uint8Array);
      // @ts-expect-error: the same for get().
      const get = client.get(p.id, { text: false, byLine: true });
      await assert.rejects(get, (error) => isProcwireError(error, ErrorCode.InvalidArgument));
      const lines = await client.exec(['echo', 'x'], { byLine: true });
      const text: string = await lines.stdout.read();
      assert.equal(typeof text, 'string');
    });
  });
});
