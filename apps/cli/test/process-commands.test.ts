import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { ExitCode, type ProcessSummary } from 'procwire';
import { eventually, runProcwire, startProcwire } from './cli-process.js';
import { aliceToken, bobToken, grpcTarget, type Target, websocketTarget } from './targets.js';

const targets: Target[] = [await grpcTarget(), await websocketTarget()];
after(async () => {
  await Promise.all(targets.map((target) => target.close()));
});

for (const target of targets) {
  describe(`procwire ps, kill, wait, attach (${target.name})`, () => {
    const cli = (args: readonly string[], token = aliceToken) =>
      runProcwire([...args, ...target.urlArgs], { env: { PROCWIRE_TOKEN: token } });
    const psJson = async (token = aliceToken): Promise<ProcessSummary[]> => {
      const result = await cli(['ps', '--json'], token);
      assert.equal(result.code, 0, result.stderr);
      return JSON.parse(result.stdout.toString()) as ProcessSummary[];
    };

    it('ps lists the process, kill signals it, wait exits with its code', async () => {
      const started = await target.client(aliceToken).exec(['sleep', '30'], { stdout: 'devnull', stderr: 'devnull' });
      const listed = (await psJson()).find((entry) => entry.id === started.id);
      assert.ok(listed, 'ps --json lists the process');
      assert.deepEqual(listed.argv, ['sleep', '30']);
      assert.equal(listed.state, 'running');
      assert.equal(listed.exit, null);
      assert.equal(listed.exitedAt, null);
      assert.equal(typeof listed.pid, 'number');
      assert.match(listed.startedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/, 'startedAt is ISO 8601 in UTC');
      assert.ok(Date.parse(listed.startedAt) <= Date.now());
      const [fromApi] = (await target.client(aliceToken).list()).filter((item) => item.id === started.id);
      assert.deepEqual(Object.keys(listed).sort(), ['argv', 'cwd', 'exit', 'exitedAt', 'id', 'pid', 'startedAt', 'state']);
      assert.equal(Date.parse(listed.startedAt), fromApi?.startedAt, 'ps --json and list() give the same start time');

      const table = await cli(['ps']);
      assert.match(table.stdout.toString(), /^ID +PID +STATE +EXIT +STARTED +COMMAND\n/);
      assert.match(table.stdout.toString(), new RegExp(`^${started.id} +${listed.pid} +running +- +\\S+ +sleep 30$`, 'm'));

      const waiting = startProcwire(['wait', started.id, ...target.urlArgs], { env: { PROCWIRE_TOKEN: aliceToken } });
      const killed = await cli(['kill', started.id, 'KILL']);
      assert.equal(killed.code, 0, killed.stderr);
      const waited = await waiting.finished;
      assert.equal(waited.code, 137, waited.stderr);

      const after = (await psJson()).find((entry) => entry.id === started.id);
      assert.equal(after?.state, 'exited');
      assert.equal(after?.exit?.code, 137);
      assert.equal(after?.exit?.signal, 'SIGKILL');
    });

    it('kill sends SIGTERM by default', async () => {
      const started = await target.client(aliceToken).exec(['sleep', '30'], { stdout: 'devnull', stderr: 'devnull' });
      const killed = await cli(['kill', started.id]);
      assert.equal(killed.code, 0, killed.stderr);
      const waited = await cli(['wait', started.id]);
      assert.equal(waited.code, 143);
    });

    it('attach prints the output of a running process and exits with its code', async () => {
      const started = await target.client(aliceToken).exec([
        'sh',
        '-c',
        'echo first; echo err-line >&2; read line; echo "got $line"; exit 4',
      ]);
      const attached = startProcwire(['attach', started.id, ...target.urlArgs], { env: { PROCWIRE_TOKEN: aliceToken } });
      await eventually('attach to print the first line', async () => attached.stdoutSoFar().includes('first\n') || undefined);
      started.stdin.write('hello\n');
      await started.stdin.drain();
      const result = await attached.finished;
      assert.equal(result.code, 4, result.stderr);
      assert.equal(result.stdout.toString(), 'first\ngot hello\n');
      assert.equal(result.stderr, 'err-line\n');
    });

    it('attach detaches on Ctrl-C leaving the process running; a second attach continues the output', async () => {
      const started = await target.client(aliceToken).exec(['sh', '-c', 'echo first; read line; echo "got $line"; exit 5']);
      const env = { PROCWIRE_TOKEN: aliceToken };
      const first = startProcwire(['attach', started.id, ...target.urlArgs], { env });
      await eventually('the first attach to print', async () => first.stdoutSoFar().includes('first\n') || undefined);
      first.child.kill('SIGINT');
      const detached = await first.finished;
      assert.equal(detached.code, 130, detached.stderr);
      assert.equal(await started.poll(), null, 'the process still runs after a detach');

      const second = startProcwire(['attach', started.id, ...target.urlArgs], { env });
      started.stdin.write('again\n');
      await started.stdin.drain();
      const result = await second.finished;
      assert.equal(result.code, 5, result.stderr);
      assert.ok(result.stdout.toString().endsWith('got again\n'), result.stdout.toString());
      assert.equal(first.stdoutSoFar() + result.stdout.toString(), 'first\ngot again\n', 'nothing repeated');
    });

    it('an unknown process id exits 253 naming the id, for attach, kill and wait', async () => {
      const commands = ['attach', 'kill', 'wait'];
      const results = await Promise.all(commands.map((command) => cli([command, 'no-such-process-42'])));
      results.forEach((result, index) => {
        assert.equal(result.code, ExitCode.UnknownProcess, `${commands[index]}: ${result.stderr}`);
        assert.equal(result.stderr, `procwire: no process with id 'no-such-process-42' on ${target.url}\n`);
      });
    });

    it("another token's process is invisible: not in ps, and kill answers unknown id", async () => {
      const started = await target.client(aliceToken).exec(['sleep', '30'], { stdout: 'devnull', stderr: 'devnull' });
      const bobSees = await psJson(bobToken);
      assert.ok(!bobSees.some((entry) => entry.id === started.id));
      const killed = await cli(['kill', started.id, 'KILL'], bobToken);
      assert.equal(killed.code, ExitCode.UnknownProcess);
      assert.equal(await started.poll(), null, "alice's process still runs");
      await started.kill('SIGKILL');
    });

    it('a wrong token exits 254 with one line that does not show the token', async () => {
      const [ps, exec, none] = await Promise.all([
        runProcwire(['ps', ...target.urlArgs, '--token', 'wrong-secret-value']),
        runProcwire(['exec', ...target.urlArgs, '--token', 'wrong-secret-value', '--', 'true']),
        runProcwire(['ps', ...target.urlArgs]),
      ]);
      for (const result of [ps, exec]) {
        assert.equal(result.code, ExitCode.Unauthenticated, result.stderr);
        assert.match(result.stderr, /^procwire: .*rejected the request: the token from --token was refused\n$/);
        assert.ok(!result.stderr.includes('wrong-secret-value'));
      }
      assert.equal(none.code, ExitCode.Unauthenticated);
      assert.match(none.stderr, /no token was given/);
    });

    it('reads the token from --token-file', async () => {
      const { writeFileSync, mkdtempSync, rmSync } = await import('node:fs');
      const { join } = await import('node:path');
      const { tmpdir } = await import('node:os');
      const dir = mkdtempSync(join(tmpdir(), 'procwire-cli-'));
      try {
        writeFileSync(join(dir, 'token'), `${aliceToken}\n`, { mode: 0o600 });
        const result = await runProcwire(['exec', ...target.urlArgs, '--token-file', join(dir, 'token'), '--', 'echo', 'ok']);
        assert.equal(result.code, 0, result.stderr);
        assert.equal(result.stdout.toString(), 'ok\n');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}

describe('procwire without a server', () => {
  it('ps, attach, kill and wait need --url, and say so', async () => {
    const runs = [['ps'], ['attach', 'x'], ['kill', 'x'], ['wait', 'x']].map((args) => runProcwire(args));
    for (const result of await Promise.all(runs)) {
      assert.equal(result.code, ExitCode.Usage);
      assert.match(result.stderr, /^procwire: 'procwire \w+' needs a server: give --url or set PROCWIRE_URL.*\n$/);
    }
  });

  it('a bad flag exits 252 with one line naming it', async () => {
    const result = await runProcwire(['exec', '--frobnicate', '--', 'true']);
    assert.equal(result.code, ExitCode.Usage);
    assert.equal(result.stderr, "procwire: unknown option '--frobnicate' (see 'procwire exec --help')\n");
    const badUrl = await runProcwire(['ps', '--url', 'http://127.0.0.1:1']);
    assert.equal(badUrl.code, ExitCode.Usage);
    assert.match(badUrl.stderr, /unknown scheme 'http:'/);
  });

  it('--help of every command shows usage, examples and the exit codes', async () => {
    const commands = ['exec', 'attach', 'ps', 'kill', 'wait'];
    const results = await Promise.all(commands.map((command) => runProcwire([command, '--help'])));
    for (const [index, command] of commands.entries()) {
      const result = results[index]!;
      assert.equal(result.code, 0);
      const text = result.stdout.toString();
      assert.match(text, new RegExp(`^Usage: procwire ${command}`));
      assert.match(text, /\nExamples:\n/);
      assert.match(text, /\nExit codes:\n[\s\S]*255 +server unreachable/);
    }
    const main = await runProcwire(['--help']);
    assert.match(main.stdout.toString(), /procwire exec \[-i\] \[-t\]/);
  });
});
