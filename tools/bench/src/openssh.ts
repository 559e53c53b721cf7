/**
 * OpenSSH on loopback, the peer procwire is measured against: an sshd on a free 127.0.0.1 port
 * with a host key and a user key generated in a temp dir, and the `ssh` argv to reach it.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const sshdPath = '/usr/sbin/sshd';

/** A running sshd and how to reach it. */
export class OpenSsh {
  private master: ChildProcess | undefined;

  private constructor(
    private readonly sshd: ChildProcess,
    private readonly dir: string,
    readonly port: number,
    /** The cipher the client and server agreed on (from `ssh -G`). */
    readonly cipher: string,
  ) {}

  /**
   * Start sshd in `dir`; rejects with the reason (no sshd binary, it exits, it never accepts a login),
   * so the caller can skip the OpenSSH rows with a note.
   */
  static async start(dir: string): Promise<OpenSsh> {
    if (!existsSync(sshdPath)) throw new Error(`${sshdPath} is missing (run tools/scripts/ensure-system-deps.sh)`);
    mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'host_ed25519')]);
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'user_ed25519')]);
    writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'user_ed25519.pub')), { mode: 0o600 });
    const port = await freePort();
    // Sessions get an empty HOME of their own: the login shell sshd runs every command with reads
    // the user's rc files (bash's ~/.bashrc, for commands from sshd), and a heavy one (root's here
    // ran `pyenv init`: about 0.5 s) would be timed as ssh's.
    const home = join(dir, 'home');
    mkdirSync(home, { mode: 0o700 });
    writeFileSync(
      join(dir, 'sshd_config'),
      [
        `Port ${port}`,
        'ListenAddress 127.0.0.1',
        `HostKey ${join(dir, 'host_ed25519')}`,
        `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
        `PidFile ${join(dir, 'sshd.pid')}`,
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'UsePAM no',
        'StrictModes no',
        'PermitRootLogin prohibit-password',
        'PrintMotd no',
        'UseDNS no',
        `SetEnv HOME=${home}`,
        '',
      ].join('\n'),
    );
    const sshd = spawn(sshdPath, ['-D', '-e', '-f', join(dir, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    sshd.stderr?.on('data', (data: Buffer) => {
      log = (log + data.toString()).slice(-2000);
    });
    const ssh = new OpenSsh(sshd, dir, port, 'unknown');
    for (let attempt = 0; attempt < 50; attempt++) {
      if (sshd.exitCode !== null) throw new Error(`sshd exited with ${sshd.exitCode}: ${log.trim()}`);
      try {
        execFileSync('ssh', [...ssh.baseArgs(), 'true'], { stdio: 'ignore', timeout: 10_000 });
        const config = execFileSync('ssh', ['-G', ...ssh.baseArgs()], { encoding: 'utf8' });
        const cipher = /^ciphers (\S+)/m.exec(config)?.[1]?.split(',')[0] ?? 'unknown';
        return new OpenSsh(sshd, dir, port, cipher);
      } catch {
        await sleep(100);
      }
    }
    sshd.kill('SIGKILL');
    throw new Error(`ssh could not log in to the bench sshd: ${log.trim()}`);
  }

  /** `ssh` options and destination, without the remote command. */
  baseArgs(): string[] {
    return [
      '-F', '/dev/null',
      '-i', join(this.dir, 'user_ed25519'),
      '-p', String(this.port),
      '-o', 'StrictHostKeyChecking=no',
      '-o', 'UserKnownHostsFile=/dev/null',
      '-o', 'LogLevel=ERROR',
      '-o', 'BatchMode=yes',
      `${userInfo().username}@127.0.0.1`,
    ];
  }

  /** Path of the multiplexing control socket. */
  get controlPath(): string {
    return join(this.dir, 'mux.sock');
  }

  /** Start a `ControlMaster` connection, so that later `ssh -S` commands skip the handshake. */
  async startMaster(): Promise<void> {
    this.master = spawn('ssh', ['-o', 'ControlMaster=yes', '-o', `ControlPath=${this.controlPath}`, '-N', ...this.baseArgs()], {
      stdio: 'ignore',
    });
    for (let attempt = 0; attempt < 100; attempt++) {
      try {
        execFileSync('ssh', ['-o', `ControlPath=${this.controlPath}`, '-O', 'check', ...this.baseArgs()], { stdio: 'ignore' });
        return;
      } catch {
        await sleep(50);
      }
    }
    throw new Error('the ssh ControlMaster never came up');
  }

  /** Argv of a multiplexed command through the master. */
  muxArgs(): string[] {
    return ['-o', 'ControlMaster=no', '-o', `ControlPath=${this.controlPath}`, ...this.baseArgs()];
  }

  /** Stop the master and sshd. */
  async stop(): Promise<void> {
    for (const child of [this.master, this.sshd]) {
      if (child === undefined || child.exitCode !== null || child.signalCode !== null) continue;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
