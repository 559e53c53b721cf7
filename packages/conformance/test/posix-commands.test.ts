// The POSIX fixtures do what ConformanceCommands says, run directly on this machine (no transport),
// so a failure against a real host points at the host, not at the fixture.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import { describe, it } from 'node:test';
import {
  expectedLines,
  invalidUtf8Bytes,
  memoryCommands,
  memoryPrograms,
  PatternStream,
  patternBytes,
  posixCommands,
  splitUtf8Pieces,
  unknownCommandName,
} from '@procwire/conformance';

function run(argv: readonly string[], options: { env?: NodeJS.ProcessEnv; input?: string } = {}) {
  const [command, ...args] = argv;
  const result = spawnSync(command!, args, { env: options.env ?? process.env, input: options.input ?? '', timeout: 20_000, maxBuffer: 64 * 1024 * 1024 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('posixCommands on this machine', { timeout: 60_000 }, () => {
  it('writeBytes(n) writes the first n bytes of the sequence pattern', () => {
    for (const length of [0, 1, 1000, 3 * 1024 * 1024 + 7]) {
      const result = run(posixCommands.writeBytes(length));
      assert.equal(result.status, 0);
      assert.ok(Buffer.from(patternBytes(length)).equals(result.stdout), `writeBytes(${length}) differs from the pattern`);
    }
  });

  it('echoBoth, interleave and exitWith write and exit as documented', () => {
    const both = run(posixCommands.echoBoth('out $HOME "q"', 'err'));
    assert.deepEqual([both.status, both.stdout.toString(), both.stderr.toString()], [0, 'out $HOME "q"', 'err']);
    const interleaved = run(posixCommands.interleave(3));
    assert.equal(interleaved.stdout.toString(), 'out 1\nout 2\nout 3\n');
    assert.equal(interleaved.stderr.toString(), 'err 1\nerr 2\nerr 3\n');
    for (const code of [0, 1, 255]) assert.equal(run(posixCommands.exitWith(code)).status, code);
  });

  it('the UTF-8 and line fixtures write exactly their bytes', () => {
    assert.ok(run(posixCommands.writeSplitUtf8()).stdout.equals(Buffer.concat(splitUtf8Pieces)));
    assert.ok(run(posixCommands.writeInvalidUtf8()).stdout.equals(Buffer.from(invalidUtf8Bytes)));
    for (const finalNewline of [true, false]) {
      assert.equal(run(posixCommands.writeLines(finalNewline)).stdout.toString(), expectedLines(finalNewline).join(''));
    }
  });

  it('cat, printEnv, printCwd and isatty behave as documented outside a terminal', () => {
    assert.equal(run(posixCommands.cat(), { input: 'through cat' }).stdout.toString(), 'through cat');
    const env = { ...process.env, PROCWIRE_FIXTURE: 'value with spaces' };
    assert.equal(run(posixCommands.printEnv('PROCWIRE_FIXTURE'), { env }).stdout.toString(), 'value with spaces\n');
    assert.equal(run(posixCommands.printEnv('PROCWIRE_FIXTURE_UNSET')).stdout.toString(), '<unset>\n');
    assert.match(run(posixCommands.printCwd()).stdout.toString(), /^\/.*\n$/);
    assert.equal(run(posixCommands.isatty()).stdout.toString(), 'notty\n');
  });

  it('spawnGroup prints a child pid that processAlive sees until the group is killed', async () => {
    const [command, ...args] = posixCommands.spawnGroup();
    const parent = spawn(command!, args, { detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
    const [firstChunk] = (await once(parent.stdout, 'data')) as [Buffer];
    const pid = firstChunk.toString().trim();
    assert.match(pid, /^\d+$/);
    assert.equal(run(posixCommands.processAlive(pid)).status, 0, 'the running child is not seen as alive');
    const exited = once(parent, 'exit');
    process.kill(-parent.pid!, 'SIGTERM');
    assert.deepEqual(await exited, [null, 'SIGTERM']);
    let status = 0;
    for (let attempt = 0; attempt < 50 && status === 0; attempt++) {
      status = run(posixCommands.processAlive(pid)).status ?? 0;
      if (status === 0) await delay(100);
    }
    assert.equal(status, 1, 'the child of a killed group is still seen as alive');
  });

  it('unknownCommand names a command that does not exist here', () => {
    assert.deepEqual(posixCommands.unknownCommand(), [unknownCommandName]);
    assert.equal(spawnSync(unknownCommandName).error?.message.includes('ENOENT'), true);
  });

  it('every memory command has its program, except the unknown command', () => {
    for (const [name, makeArgv] of Object.entries(memoryCommands)) {
      const argv = (makeArgv as (...args: unknown[]) => string[])(1, 2);
      assert.equal(argv[0]! in memoryPrograms, name !== 'unknownCommand', `memory program for ${name}`);
    }
  });
});

it('PatternStream pieces of any size join into the pattern seq prints', () => {
  const whole = spawnSync('sh', ['-c', 'seq 1 20000 | head -c 100000'], { maxBuffer: 1024 * 1024 }).stdout;
  const stream = new PatternStream();
  const pieces: Uint8Array[] = [];
  for (let taken = 0, size = 1; taken < whole.length; taken += size, size = (size * 7) % 997 + 1) {
    pieces.push(stream.next(Math.min(size, whole.length - taken)));
  }
  assert.ok(Buffer.concat(pieces).equals(whole));
  assert.ok(Buffer.from(patternBytes(whole.length)).equals(whole));
});
