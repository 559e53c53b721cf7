/**
 * maxRetainedPerPrincipal: exited processes (and their unread output) kept for one principal are
 * bounded; the oldest is forgotten first, one whose output was all read before any other, and
 * another principal's processes are never touched.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { localTransport } from '@procwire/local-pty';

const host = localTransport({ maxRetainedPerPrincipal: 3 });
after(() => host.close());

/** Runs `echo NAME` for `principal` to its exit; its output stays unread. */
async function runToExit(name: string, principal: string): Promise<void> {
  await host.start({ processId: name, argv: ['echo', name], stdout: 'pipe', stderr: 'pipe' }, { principal });
  await host.wait({ processId: name }, { principal });
}

async function retained(principal: string): Promise<string[]> {
  return (await host.list({ principal })).map((info) => info.processId);
}

test('the oldest exited process is forgotten past the bound, a fully read one first; others are untouched', async () => {
  await runToExit('bob-1', 'bob');
  for (const name of ['a-1', 'a-2', 'a-3']) await runToExit(name, 'alice');
  assert.deepEqual(await retained('alice'), ['a-1', 'a-2', 'a-3']);

  // a-2's output is read and acknowledged: it is the first to go, though a-1 is older.
  for await (const chunk of host.readOutput({ processId: 'a-2', fd: 1, offset: 0 }, { principal: 'alice' })) {
    await host.ackOutput({ processId: 'a-2', fd: 1, offset: chunk.offset + chunk.data.byteLength }, { principal: 'alice' });
  }
  await runToExit('a-4', 'alice');
  assert.deepEqual(await retained('alice'), ['a-1', 'a-3', 'a-4']);
  await assert.rejects(host.get({ processId: 'a-2' }, { principal: 'alice' }), { code: 'not_found' });

  // None is fully read now: the oldest goes, unread output and all.
  await runToExit('a-5', 'alice');
  assert.deepEqual(await retained('alice'), ['a-3', 'a-4', 'a-5']);

  // Bob's one process was never at risk, and alice's kept ones still have their output.
  assert.deepEqual(await retained('bob'), ['bob-1']);
  let text = '';
  for await (const chunk of host.readOutput({ processId: 'a-3', fd: 1, offset: 0 }, { principal: 'alice' })) {
    text += Buffer.from(chunk.data).toString();
  }
  assert.equal(text, 'a-3\n');
});

test('the option is checked', () => {
  assert.throws(() => localTransport({ maxRetainedPerPrincipal: 0 }), { code: 'invalid_argument', message: /maxRetainedPerPrincipal/ });
});
