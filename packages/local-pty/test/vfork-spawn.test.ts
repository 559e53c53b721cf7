/**
 * Pipe mode through posix_spawn (the default where the addon is built): a process must start
 * exactly as child_process starts it. Each probe runs in both modes and must see the same thing,
 * and the thing it should see. The conformance suite runs in both modes too.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import type { StartRequest, Transport } from '@procwire/core/transport';
import { localTransport } from '@procwire/local-pty';
import { spawn as spawnTerminal } from 'node-pty';
import { eventually, nextId, pipeRequest, procStats, readText, run } from './helpers.js';

const modes = [
  ['posix_spawn', {}],
  ['child_process', { vforkSpawn: false }],
] as const;

/** What a probe saw: its exit status and output, or the error its start got. */
async function observe(transport: Transport, request: StartRequest): Promise<unknown> {
  try {
    const { status, stdout, stderr } = await run(transport, request);
    return { status, stdout, stderr };
  } catch (error) {
    const { code, message } = error as { code: string; message: string };
    return { error: { code, message } };
  }
}

describe('posix_spawn: a process starts as child_process starts it', () => {
  const hosts = new Map<string, Transport>();
  let dir: string;

  before(() => {
    for (const [name, options] of modes) hosts.set(name, localTransport(options));
    dir = mkdtempSync(join(tmpdir(), 'procwire-vfork-'));
    mkdirSync(join(dir, 'bin'));
    // A script without #!: the kernel refuses it (ENOEXEC), execvp runs it with /bin/sh.
    writeFileSync(join(dir, 'bin', 'no-shebang'), 'echo "no shebang: $1"\n');
    chmodSync(join(dir, 'bin', 'no-shebang'), 0o755);
    writeFileSync(join(dir, 'bin', 'not-executable'), '#!/bin/sh\necho never\n');
    chmodSync(join(dir, 'bin', 'not-executable'), 0o644);
    writeFileSync(join(dir, 'local.sh'), '#!/bin/sh\necho "local in $(pwd)"\n');
    chmodSync(join(dir, 'local.sh'), 0o755);
  });
  after(async () => {
    for (const host of hosts.values()) await host.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Runs `request` (a fresh id each time) in every mode; asserts all saw the same; returns it. */
  async function inEveryMode(request: Omit<StartRequest, 'processId'>): Promise<unknown> {
    const seen = [];
    for (const [name] of modes) seen.push(await observe(hosts.get(name)!, { ...request, processId: nextId('vf') }));
    for (const other of seen.slice(1)) assert.deepEqual(other, seen[0], 'posix_spawn and child_process disagree');
    return seen[0];
  }

  test('signals 1-31 at their default disposition (Node ignores SIGPIPE), none blocked', async () => {
    for (const [name] of modes) {
      const probe = pipeRequest(nextId('vf'), ['grep', '-E', '^Sig(Blk|Ign)', '/proc/self/status']);
      const { stdout } = (await observe(hosts.get(name)!, probe)) as { stdout: string };
      // glibc's own 32 and 33 (thread cancellation, setxid) are not the host's to set.
      assert.match(stdout, /^SigBlk:\t0{16}\nSigIgn:\t[0-9a-f]{7}[0-3][08]0{7}\n$/, name);
    }
  });

  test('the process leads its own session and process group, as a child of the host', async () => {
    for (const [name] of modes) {
      const host = hosts.get(name)!;
      const processId = nextId('vf');
      const info = await host.start(pipeRequest(processId, ['sh', '-c', 'cut -d" " -f4,5,6 /proc/$$/stat']));
      await host.wait({ processId });
      const [ppid, pgrp, session] = (await readText(host, processId)).trim().split(' ').map(Number);
      assert.deepEqual({ ppid, pgrp, session }, { ppid: process.pid, pgrp: info.pid, session: info.pid }, name);
    }
  });

  test('only stdin, stdout and stderr are open in the child', async () => {
    const seen = await inEveryMode(pipeRequest('', ['sh', '-c', 'ls /proc/$$/fd']));
    assert.deepEqual(seen, { status: { code: 0 }, stdout: '0\n1\n2\n', stderr: '' });
  });

  test('stdin and piped outputs are pipes (as a shell or sshd gives them); an output asked as devnull is /dev/null', async () => {
    // Not the last command: sh forks readlink and redirects there, its own descriptors stay as given.
    const argv = ['sh', '-c', 'readlink /proc/$$/fd/0 /proc/$$/fd/1 /proc/$$/fd/2 | sed "s/[0-9]//g" >&2; true'];
    const seen = await inEveryMode({ argv, stdout: 'devnull', stderr: 'pipe' });
    assert.deepEqual(seen, { status: { code: 0 }, stdout: '', stderr: 'pipe:[]\n/dev/null\npipe:[]\n' });
  });

  test('writing to /dev/stdout and /dev/stderr reaches the streams (a socket pair could not be reopened there)', async () => {
    const seen = await inEveryMode(pipeRequest('', ['sh', '-c', 'echo out > /dev/stdout && echo err > /dev/stderr']));
    assert.deepEqual(seen, { status: { code: 0 }, stdout: 'out\n', stderr: 'err\n' });
  });

  test('the command is found through the PATH of the request env; a script without #! runs with /bin/sh', async () => {
    const seen = await inEveryMode(pipeRequest('', ['no-shebang', 'x y'], { env: { PATH: `/nowhere:${join(dir, 'bin')}` } }));
    assert.deepEqual(seen, { status: { code: 0 }, stdout: 'no shebang: x y\n', stderr: '' });
  });

  test('a relative command runs from cwd', async () => {
    const seen = await inEveryMode(pipeRequest('', ['./local.sh'], { cwd: dir }));
    assert.deepEqual(seen, { status: { code: 0 }, stdout: `local in ${dir}\n`, stderr: '' });
  });

  test('a command not found, not executable, or a directory: the same error in both modes', async () => {
    const env = { PATH: join(dir, 'bin') };
    assert.deepEqual(await inEveryMode(pipeRequest('', ['no-such-command'], { env })), {
      error: { code: 'not_found', message: 'command not found: "no-such-command"' },
    });
    assert.deepEqual(await inEveryMode(pipeRequest('', ['not-executable'], { env })), {
      error: { code: 'permission_denied', message: 'command "not-executable" may not be run: EACCES' },
    });
    assert.deepEqual(await inEveryMode(pipeRequest('', [dir])), {
      error: { code: 'permission_denied', message: `command ${JSON.stringify(dir)} may not be run: EACCES` },
    });
  });

  test('an exit by a signal is reported with the signal', async () => {
    const seen = await inEveryMode(pipeRequest('', ['sh', '-c', 'kill -KILL $$']));
    assert.deepEqual(seen, { status: { code: 137, signal: 'SIGKILL' }, stdout: '', stderr: '' });
  });
});

describe('posix_spawn: exits', () => {
  let host: Transport;
  before(() => {
    host = localTransport({ vforkSpawn: true, maxProcesses: 1000 });
  });
  after(() => host.close());

  test('200 processes at once each report their own status, beside child_process children, and none is left a zombie', async () => {
    const ids = Array.from({ length: 200 }, (_, index) => nextId(`many${index}-`));
    // child_process reaps its children by pid, as the addon does: neither takes the other's status.
    const forked = Array.from({ length: 20 }, (_, index) => promisify(execFile)('sh', ['-c', `echo ${index}`]));
    await Promise.all(ids.map((processId, index) => host.start(pipeRequest(processId, ['sh', '-c', `exit ${index % 256}`]))));
    const statuses = await Promise.all(ids.map((processId) => host.wait({ processId })));
    assert.deepEqual(
      statuses.map((status) => status.code),
      ids.map((_, index) => index % 256),
    );
    assert.deepEqual(
      (await Promise.all(forked)).map(({ stdout }) => stdout),
      forked.map((_, index) => `${index}\n`),
    );
    const zombies = async () => (await procStats()).filter((stat) => stat.ppid === process.pid && stat.state === 'Z');
    assert.equal(await eventually(async () => (await zombies()).length === 0), true, 'zombie children remain');
  });

  test('vforkSpawn must be a boolean', () => {
    assert.throws(() => localTransport({ vforkSpawn: 'yes' as never }), {
      code: 'invalid_argument',
      message: 'localTransport option vforkSpawn must be a boolean, got yes',
    });
  });
});

describe('posix_spawn: descriptors', () => {
  test('a descriptor opened without close-on-exec after the host was made (a raw node-pty terminal) does not reach the child', async () => {
    const host = localTransport({ vforkSpawn: true });
    // node-pty 1.1.0 opens the master without close-on-exec; the host marks only its own terminals.
    const terminal = spawnTerminal('sleep', ['30'], {});
    try {
      const master = (terminal as unknown as { _fd: number })._fd;
      assert.ok(readlinkSync(`/proc/self/fd/${master}`) === '/dev/ptmx', 'the raw terminal holds a master');
      const seen = await observe(host, pipeRequest(nextId('fds'), ['sh', '-c', 'ls /proc/$$/fd']));
      assert.deepEqual(seen, { status: { code: 0 }, stdout: '0\n1\n2\n', stderr: '' });
    } finally {
      terminal.kill('SIGKILL');
      await host.close();
    }
  });
});
