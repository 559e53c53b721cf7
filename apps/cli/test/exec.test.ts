import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { ExitCode } from 'procwire';
import { eventually, runProcwire, startProcwire } from './cli-process.js';
import { aliceToken, grpcTarget, localTarget, type Target, websocketTarget } from './targets.js';

const targets: Target[] = [localTarget(), await grpcTarget(), await websocketTarget()];
after(async () => {
  await Promise.all(targets.map((target) => target.close()));
});

for (const target of targets) {
  describe(`procwire exec (${target.name})`, () => {
    const env = { PROCWIRE_TOKEN: aliceToken };
    const exec = (args: readonly string[], options: Parameters<typeof runProcwire>[1] = {}) =>
      runProcwire(['exec', ...target.urlArgs, ...args], { env, ...options });

    it('exits with the exit code of the process: 0, 3, and 137 when SIGKILL ends it', async () => {
      const [ok, three, killed] = await Promise.all([
        exec(['--', 'true']),
        exec(['--', 'sh', '-c', 'exit 3']),
        exec(['--', 'sh', '-c', 'kill -KILL $$']),
      ]);
      assert.equal(ok.code, 0, ok.stderr);
      assert.equal(three.code, 3, three.stderr);
      assert.equal(killed.code, 137, killed.stderr);
    });

    it('writes stdout and stderr to the local stdout and stderr, separately and in full', async () => {
      const result = await exec(['--', 'sh', '-c', 'echo to-out; echo to-err >&2; seq 1 20000; exit 5']);
      assert.equal(result.code, 5);
      const expected = `to-out\n${Array.from({ length: 20000 }, (_, i) => `${i + 1}\n`).join('')}`;
      assert.equal(result.stdout.toString(), expected);
      assert.equal(result.stderr, 'to-err\n');
    });

    it('-i pipes 10 MiB of stdin with EOF, byte for byte', async () => {
      const data = randomBytes(10 * 1024 * 1024);
      const expected = createHash('sha256').update(data).digest('hex');
      const result = await exec(['-i', '--', 'sha256sum'], { input: data, deadlineMs: 90_000 });
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout.toString().split(' ')[0], expected);
    });

    it('without -i the process sees EOF at once and local stdin is left alone', async () => {
      // The CLI's stdin stays open and silent; cat still ends because its stdin is closed.
      const { child, finished } = startProcwire(['exec', ...target.urlArgs, '--', 'cat'], { env });
      const result = await finished;
      child.stdin?.destroy();
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout.length, 0);
    });

    it('when the local reader goes away, the process gets SIGPIPE (exit 141), as it would locally', async () => {
      const run = startProcwire(['exec', ...target.urlArgs, '--', 'yes'], { env });
      run.child.stdout!.once('data', () => run.child.stdout!.destroy());
      const result = await run.finished;
      assert.equal(result.code, 141, result.stderr);
    });

    it('-t without a terminal exits 252 with one line', async () => {
      const result = await exec(['-t', '--', 'true']);
      assert.equal(result.code, ExitCode.Usage);
      assert.equal(result.stderr, 'procwire: exec -t needs a terminal, but stdin or stdout is not a TTY (drop -t; -i pipes stdin)\n');
    });

    it('passes --cwd and -e to the process', async () => {
      const result = await exec(['--cwd', '/tmp', '-e', 'GREETING=hello there', '--', 'sh', '-c', 'pwd; echo "$GREETING"']);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout.toString(), '/tmp\nhello there\n');
    });

    it('--timeout kills the process and exits 124 with one line saying so', async () => {
      const result = await exec(['--timeout', '0.5', '--', 'sleep', '30']);
      assert.equal(result.code, ExitCode.Timeout);
      assert.match(result.stderr, /^procwire: the process ran past --timeout and was killed.*\n$/);
    });

    it('exits 127 naming a command that does not exist', async () => {
      const result = await exec(['--', 'no-such-command-procwire']);
      assert.equal(result.code, ExitCode.CommandNotFound);
      assert.match(result.stderr, /^procwire: command not found .*no-such-command-procwire.*\n$/);
    });

    it('exits 251 naming a --cwd that does not exist', async () => {
      const result = await exec(['--cwd', '/no/such/dir', '--', 'true']);
      assert.equal(result.code, ExitCode.InvalidRequest);
      assert.match(result.stderr, /^procwire: .*\/no\/such\/dir.*\n$/);
    });

    it('Ctrl-C sends SIGINT to the process, a second Ctrl-C kills it', async () => {
      const trapped = startProcwire(
        ['exec', ...target.urlArgs, '--', 'sh', '-c', 'trap "echo got-int; exit 7" INT; echo ready; while :; do sleep 0.1; done'],
        { env },
      );
      await eventually('the trap to be ready', async () => trapped.stdoutSoFar().includes('ready') || undefined);
      trapped.child.kill('SIGINT');
      const first = await trapped.finished;
      assert.equal(first.code, 7, first.stderr);
      assert.match(first.stdout.toString(), /got-int/);

      const stubborn = startProcwire(
        ['exec', ...target.urlArgs, '--', 'sh', '-c', 'trap "" INT; echo ready; while :; do sleep 0.1; done'],
        { env },
      );
      await eventually('the trap to be ready', async () => stubborn.stdoutSoFar().includes('ready') || undefined);
      stubborn.child.kill('SIGINT');
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(stubborn.child.exitCode, null, 'the first Ctrl-C is ignored by this process');
      stubborn.child.kill('SIGINT');
      const second = await stubborn.finished;
      assert.equal(second.code, 137, second.stderr);
    });
  });
}
