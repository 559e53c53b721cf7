/**
 * `principalUsers`: each principal's processes run as a uid of their own, so the OS keeps bob's
 * processes away from alice's (her environment, signals) whatever bob runs. Needs a root host.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import type { StartRequest, Transport } from '@procwire/core/transport';
import { localTransport } from '@procwire/local-pty';
import { nextId, pipeRequest, ptyRequest } from './helpers.js';

const isRoot = process.getuid?.() === 0;
const ALICE = { uid: 12001, gid: 12001 };
const BOB = { uid: 12002, gid: 12002 };
const SECRET = 'alice-secret-7f3a91';

async function output(transport: Transport, processId: string, principal: string, fd: 1 | 2): Promise<string> {
  const parts: Uint8Array[] = [];
  for await (const chunk of transport.readOutput({ processId, fd, offset: 0 }, { principal })) parts.push(chunk.data);
  return Buffer.concat(parts).toString('utf8');
}

async function run(transport: Transport, request: StartRequest, principal: string) {
  await transport.start(request, { principal });
  const status = await transport.wait({ processId: request.processId }, { principal });
  const stdout = await output(transport, request.processId, principal, 1);
  const stderr = await output(transport, request.processId, principal, 2);
  return { status, stdout, stderr, all: stdout + stderr };
}

for (const spawnHelper of [false, true]) {
  for (const mode of ['pipe', 'pty'] as const) {
    const request = mode === 'pipe' ? pipeRequest : ptyRequest;
    describe(`principalUsers: ${mode} mode, spawnHelper ${spawnHelper}`, { skip: !isRoot && 'needs root' }, () => {
      let transport: Transport;
      before(() => {
        transport = localTransport({ spawnHelper, principalUsers: { alice: ALICE, bob: BOB }, requirePrincipalUser: true });
      });
      after(() => transport.close());

      test("bob can neither read alice's environment nor kill her process", async () => {
        const target = await transport.start(
          request(nextId('alice'), ['sh', '-c', 'read line; exit 7'], { env: { SECRET } }),
          { principal: 'alice' },
        );
        const pid = target.pid as number;
        const attack = await run(
          transport,
          request(nextId('bob'), ['sh', '-c', `tr "\\0" "\\n" < /proc/${pid}/environ; kill -9 ${pid}; echo "kill=$?"`]),
          'bob',
        );
        assert.doesNotMatch(attack.all, new RegExp(SECRET), "alice's secret reached bob");
        assert.match(attack.all, /Permission denied/);
        assert.match(attack.all, /kill=[1-9]/, 'the kill failed');
        assert.equal((await transport.get({ processId: target.processId }, { principal: 'alice' })).state, 'running');
        await transport.writeInput({ processId: target.processId, offset: 0, data: Buffer.from('go\n'), eof: false }, { principal: 'alice' });
        const status = await transport.wait({ processId: target.processId }, { principal: 'alice' });
        assert.deepEqual(status, { code: 7 }, "alice's process ended by itself, with its own code");
      });

      test("bob can neither type into nor read alice's stdio through /proc; alice can reopen her own", async () => {
        const target = await transport.start(request(nextId('alice'), ['sh', '-c', 'read line; echo "got:$line"; echo mine > /dev/stdout']), {
          principal: 'alice',
        });
        const pid = target.pid as number;
        const attack = await run(
          transport,
          request(nextId('bob'), [
            'sh',
            '-c',
            `echo injected > /proc/${pid}/fd/0; echo "write=$?"; timeout 1 cat /proc/${pid}/fd/1; echo "read=$?"`,
          ]),
          'bob',
        );
        assert.match(attack.all, /write=[1-9]/, "bob's write into alice's stdin failed");
        assert.match(attack.all, /read=[1-9]/, "bob's read of alice's stdout failed");
        await transport.writeInput({ processId: target.processId, offset: 0, data: Buffer.from('go\n'), eof: true }, { principal: 'alice' });
        assert.deepEqual(await transport.wait({ processId: target.processId }, { principal: 'alice' }), { code: 0 });
        const own = await output(transport, target.processId, 'alice', 1);
        // In a terminal, read echoes the line; /dev/stdout is the terminal there.
        assert.match(own, /got:go\r?\nmine\r?\n$/);
        assert.doesNotMatch(own, /injected/);
      });

      test('a process runs with its principal uid and gid and no other group', async () => {
        const result = await run(transport, request(nextId('alice'), ['sh', '-c', 'echo "$(id -u) $(id -g) [$(id -G)]"']), 'alice');
        assert.equal(result.stdout.trim(), `${ALICE.uid} ${ALICE.gid} [${ALICE.gid}]`);
        const bob = await run(transport, request(nextId('bob'), ['sh', '-c', 'echo "$(id -u) [$(id -G)] $PWD"']), 'bob');
        // No passwd entry: it starts in / (the host's directory may not be readable by it).
        assert.equal(bob.stdout.trim(), `${BOB.uid} [${BOB.gid}] /`);
      });

      test('a principal without a user, and no principal at all, are refused', async () => {
        await assert.rejects(transport.start(request(nextId('carol'), ['true']), { principal: 'carol' }), {
          code: 'permission_denied',
          message: /principal "carol" has no user in principalUsers/,
        });
        await assert.rejects(transport.start(request(nextId('anon'), ['true'])), {
          code: 'permission_denied',
          message: /no principal/,
        });
      });
    });
  }
}

describe('principalUsers: a user with a passwd entry', { skip: !isRoot && 'needs root' }, () => {
  const name = `procwire-iso-${process.pid}`;
  const uid = 12003;
  let home: string;
  let created = false;
  before(() => {
    home = mkdtempSync(join(tmpdir(), 'procwire-home-'));
    try {
      execFileSync('useradd', ['--no-create-home', '--home-dir', home, '--uid', String(uid), '--user-group', name], { stdio: 'pipe' });
      created = true;
    } catch {
      // No useradd here: the test below is skipped.
    }
    if (created) execFileSync('chown', [`${uid}:${uid}`, home]);
  });
  after(() => {
    if (created) execFileSync('userdel', [name], { stdio: 'pipe' });
    rmSync(home, { recursive: true, force: true });
  });

  test('gets HOME, USER and LOGNAME from it and starts in its home', async (t) => {
    if (!created) return t.skip('useradd is not available');
    const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }).trim());
    const transport = localTransport({ principalUsers: { dave: { uid, gid } } });
    try {
      for (const make of [pipeRequest, ptyRequest]) {
        const result = await run(transport, make(nextId('dave'), ['sh', '-c', 'echo "$HOME $USER $LOGNAME $PWD"']), 'dave');
        assert.equal(result.stdout.trim(), `${home} ${name} ${name} ${home}`);
      }
    } finally {
      await transport.close();
    }
  });
});

describe('principalUsers: options', () => {
  test('a host not running as root refuses a mapping at creation', () => {
    const script = `import { localTransport } from '@procwire/local-pty';
try { localTransport({ principalUsers: { alice: { uid: 12001, gid: 12001 } } }); console.log('made'); }
catch (error) { console.log(error.code + ': ' + error.message); }`;
    // As root, the host under test runs as nobody.
    const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      encoding: 'utf8',
      ...(isRoot ? { uid: 65534, gid: 65534 } : {}),
    });
    assert.equal(
      output.trim(),
      "failed_precondition: localTransport option principalUsers needs a host running as root (it switches each process to its principal's uid)",
    );
  });

  test('root, a shared uid and a malformed entry are refused, naming the principal', () => {
    assert.throws(() => localTransport({ principalUsers: { alice: { uid: 0, gid: 0 } } }), {
      code: 'invalid_argument',
      message: /principalUsers\["alice"\]\.uid must not be 0/,
    });
    assert.throws(() => localTransport({ principalUsers: { alice: ALICE, bob: ALICE } }), {
      code: 'invalid_argument',
      message: /principalUsers\["bob"\]\.uid 12001 is also the uid of principal "alice"/,
    });
    assert.throws(() => localTransport({ principalUsers: { alice: { uid: -1, gid: 1 } } }), {
      code: 'invalid_argument',
      message: /principalUsers\["alice"\]\.uid/,
    });
  });
});
