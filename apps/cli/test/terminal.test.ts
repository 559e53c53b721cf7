import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { type FaultProxy, startFaultProxy } from '@procwire/fault-proxy';
import { cliPath, eventually } from './cli-process.js';
import { aliceToken, grpcTarget } from './targets.js';
import { TmuxSession } from './tmux-session.js';

let proxy: FaultProxy | undefined;
const target = await grpcTarget(async (port) => {
  proxy = await startFaultProxy({ targetPort: port });
  return proxy.port;
});
const sessions: TmuxSession[] = [];
after(async () => {
  for (const session of sessions) session.close();
  await target.close();
  await proxy?.close();
});

/** A tmux pane whose shell records its terminal settings, then runs `procwire exec -t -- bash`. */
function startTerminalRun(extraFlags = '', command = `exec -t ${target.urlArgs.join(' ')} ${extraFlags} -- bash --norc --noprofile`): TmuxSession {
  const session = TmuxSession.start(100, 30, { PROCWIRE_TOKEN: aliceToken });
  sessions.push(session);
  const before = join(session.dir, 'before');
  const afterFile = join(session.dir, 'after');
  const exit = join(session.dir, 'exit');
  session.type(
    `stty -g > ${before}; node ${cliPath} ${command}; ` +
      `echo EXIT=$? | tee ${exit}; stty -g > ${afterFile}`,
  );
  return session;
}

function settings(session: TmuxSession, name: 'before' | 'after'): string {
  return readFileSync(join(session.dir, name), 'utf8');
}

/** The CLI's pid: the one child of the pane's shell. */
function cliPid(session: TmuxSession): number {
  const pid = execFileSync('ps', ['--ppid', String(session.panePid()), '-o', 'pid='], { encoding: 'utf8' }).trim();
  return Number(pid.split('\n')[0]);
}

describe('procwire exec -t in a real terminal (tmux)', () => {
  it('runs a shell: commands run, stty size follows resize-window, exit 3 exits 3, the terminal is restored', async () => {
    const session = startTerminalRun();
    session.type('echo hello-$((6*7))');
    await session.waitFor(/^hello-42$/m);
    await session.waitFor(/^SIZE=30 100$/m, 20_000, 'echo SIZE=$(stty size)');
    session.resize(120, 40);
    await session.waitFor(/^SIZE=40 120$/m, 20_000, 'echo SIZE=$(stty size)');
    session.type('exit 3');
    await session.waitFor(/^EXIT=3$/m);
    await session.waitFor(/^\$ $/m);
    assert.equal(settings(session, 'after'), settings(session, 'before'));
  });

  it('writes the remote terminal\'s output as it is: a bare line feed keeps its column, as over ssh', async () => {
    // A program that turns off its terminal's newline translation (vim, less) moves down a line
    // with a bare "\n"; Node's raw mode alone would add a carriage return here.
    const remote = `sh -c "stty -onlcr; printf 'lf-top\\nlf-next\\r\\n'"`;
    const session = startTerminalRun('', `exec -t ${target.urlArgs.join(' ')} -- ${remote}`);
    await session.waitFor(/^EXIT=0$/m);
    assert.match(session.screen(), /^lf-top\n {6}lf-next$/m);
    await session.waitFor(/^\$ $/m);
    assert.equal(settings(session, 'after'), settings(session, 'before'));
  });

  it('restores the terminal when the CLI itself is terminated, and exits 128+n', async () => {
    const session = startTerminalRun();
    session.type('echo ready-$((1+1))');
    await session.waitFor(/^ready-2$/m);
    const client = target.client(aliceToken);
    const shellsBefore = new Set((await client.list()).map((info) => info.id));
    process.kill(cliPid(session), 'SIGTERM');
    await session.waitFor(/^EXIT=143$/m);
    await session.waitFor(/^\$ $/m);
    assert.equal(settings(session, 'after'), settings(session, 'before'));
    // The remote shell was hung up (SIGHUP), not left running.
    await eventually('the remote shell to be hung up', async () => {
      const running = (await client.list()).filter((info) => shellsBefore.has(info.id) && info.state === 'running');
      return running.length === 0 || undefined;
    });
  });

  it('restores the terminal when the server is lost past --give-up, and exits 255 with one line', async () => {
    const session = startTerminalRun('--give-up 1');
    session.type('echo ready-$((2+1))');
    await session.waitFor(/^ready-3$/m);
    proxy!.refuse(true);
    proxy!.cutAll();
    try {
      await session.waitFor(/^EXIT=255$/m, 30_000);
    } finally {
      proxy!.refuse(false);
    }
    const screen = session.screen();
    assert.match(screen, /^procwire: lost the connection to grpc:\/\/127\.0\.0\.1:\d+; gave up after 1 s/m);
    await session.waitFor(/^\$ $/m);
    assert.equal(settings(session, 'after'), settings(session, 'before'));
  });

  it('attach gives a shell started in a pty this terminal; exit 2 exits 2, the terminal is restored', async () => {
    const shell = await target.client(aliceToken).exec(['bash', '--norc', '--noprofile'], { pty: { cols: 80, rows: 24, term: 'xterm' } });
    const session = startTerminalRun('', `attach ${target.urlArgs.join(' ')} ${shell.id}`);
    session.type('echo attached-$((3*3))');
    await session.waitFor(/^attached-9$/m);
    session.type('exit 2');
    await session.waitFor(/^EXIT=2$/m);
    await session.waitFor(/^\$ $/m);
    assert.equal(settings(session, 'after'), settings(session, 'before'));
  });

  it('--timeout under -t exits 124 with one line, the terminal restored', async () => {
    const session = startTerminalRun('', `exec -t --timeout 1 ${target.urlArgs.join(' ')} -- sleep 30`);
    await session.waitFor(/^EXIT=124$/m);
    assert.match(session.screen(), /^procwire: the process ran past --timeout and was killed/m);
    await session.waitFor(/^\$ $/m);
    assert.equal(settings(session, 'after'), settings(session, 'before'));
  });
});
