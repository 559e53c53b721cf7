import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { StartRequest, Transport } from '@procwire/core/transport';
import { localTransport } from '@procwire/local-pty';
import { nextId, pipeRequest, ptyRequest, run } from './helpers.js';

describe('bad input: a clear error, and the host keeps working', () => {
  let transport: Transport;
  let dir: string;
  let notExecutable: string;
  before(() => {
    transport = localTransport({ maxArgvBytes: 1024 });
    dir = mkdtempSync(join(tmpdir(), 'procwire-bad-'));
    notExecutable = join(dir, 'script.sh');
    writeFileSync(notExecutable, '#!/bin/sh\necho hi\n');
    chmodSync(notExecutable, 0o644);
  });
  after(async () => {
    await transport.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function expectError(request: StartRequest, code: string, mentions?: string): Promise<void> {
    await assert.rejects(transport.start(request), (error: Error & { code?: string }) => {
      assert.equal(error.code, code, error.message);
      if (mentions !== undefined) assert.ok(error.message.includes(mentions), error.message);
      return true;
    });
    // The host runs on: a normal process right after.
    const result = await run(transport, pipeRequest(nextId(), ['echo', 'ok']));
    assert.deepEqual(result, { status: { code: 0 }, stdout: 'ok\n', stderr: '' });
    // And the failed id was not registered.
    await assert.rejects(transport.get({ processId: request.processId }), { code: 'not_found' });
  }

  const cases: Array<[string, (id: string) => StartRequest, string, string?]> = [
    ['an empty argv', (id) => pipeRequest(id, []), 'invalid_argument', 'argv'],
    ['a non-string argv item', (id) => pipeRequest(id, ['echo', 42 as unknown as string]), 'invalid_argument', 'argv[1]'],
    ['a NUL byte in argv', (id) => pipeRequest(id, ['echo', 'a\0b']), 'invalid_argument', 'NUL'],
    ['a NUL byte in env', (id) => pipeRequest(id, ['true'], { env: { X: 'a\0b' } }), 'invalid_argument', 'NUL'],
    ['an env key with "="', (id) => pipeRequest(id, ['true'], { env: { 'A=B': 'x' } }), 'invalid_argument', 'A=B'],
    ['a missing command', (id) => pipeRequest(id, ['no-such-command-procwire']), 'not_found', 'no-such-command-procwire'],
    ['a missing command in a pty', (id) => ptyRequest(id, ['no-such-command-procwire']), 'not_found', 'no-such-command-procwire'],
    ['a missing command by path', (id) => pipeRequest(id, ['/no/such/bin']), 'not_found', '/no/such/bin'],
    ['a missing cwd', (id) => pipeRequest(id, ['true'], { cwd: '/no/such/dir' }), 'invalid_argument', '/no/such/dir'],
    ['a missing cwd in a pty', (id) => ptyRequest(id, ['true'], { cwd: '/no/such/dir' }), 'invalid_argument', '/no/such/dir'],
    ['a cwd that is a file', (id) => pipeRequest(id, ['true'], { cwd: '/etc/passwd' }), 'invalid_argument', 'not a directory'],
    ['argv over the size limit', (id) => pipeRequest(id, ['echo', 'x'.repeat(2000)]), 'resource_exhausted', '1024'],
    ['a bad timeout', (id) => pipeRequest(id, ['true'], { timeoutMs: -5 }), 'invalid_argument', 'timeoutMs'],
  ];
  for (const [what, request, code, mentions] of cases) {
    test(`${what} is ${code}`, async () => {
      await expectError(request(nextId()), code, mentions);
    });
  }

  test('a command that is not executable is permission_denied, in pipe and pty mode', async () => {
    await expectError(pipeRequest(nextId(), [notExecutable]), 'permission_denied', notExecutable);
    await expectError(ptyRequest(nextId(), [notExecutable]), 'permission_denied', notExecutable);
  });

  test('a malformed process id is invalid_argument', async () => {
    await assert.rejects(transport.start(pipeRequest('has space', ['true'])), { code: 'invalid_argument' });
    await assert.rejects(transport.get({ processId: '' }), { code: 'invalid_argument' });
  });

  test('reading fd 3 or a negative offset is invalid_argument', async () => {
    const processId = nextId();
    await transport.start(pipeRequest(processId, ['true']));
    const read = (fd: number, offset: number) =>
      (async () => {
        for await (const _ of transport.readOutput({ processId, fd: fd as 1, offset })) break;
      })();
    await assert.rejects(read(3, 0), { code: 'invalid_argument' });
    await assert.rejects(read(1, -1), { code: 'invalid_argument' });
    await assert.rejects(read(1, 10), { code: 'out_of_range' });
  });

  test('options are checked when the transport is made', () => {
    assert.throws(() => localTransport({ uid: 65534 }), { code: 'invalid_argument', message: /uid and gid/ });
    assert.throws(() => localTransport({ outputWindowBytes: 0 }), { code: 'invalid_argument', message: /outputWindowBytes/ });
  });
});
