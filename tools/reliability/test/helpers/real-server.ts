/**
 * The real `procwire-server` command (apps/server/dist/main.js) as a child process on 127.0.0.1,
 * with a tokens file, for the attack tests: each attack is made against what users run.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const mainScript = fileURLToPath(new URL('../../../../apps/server/dist/main.js', import.meta.url));

/** Where the server listens, from its ready file. */
export interface RealServerAddresses {
  readonly grpc: string;
  readonly http: string;
  readonly websocket: string;
  readonly pid: number;
}

/** One line of the tokens file. */
export interface TokenLine {
  readonly token: string;
  readonly principal: string;
  /** `uid:gid`, for `--isolation uid`. */
  readonly user?: string;
}

/** A running `procwire-server`. */
export class RealServer {
  readonly #exited: Promise<number | null>;
  readonly #output: { readonly stdout: () => string; readonly stderr: () => string };

  private constructor(
    readonly child: ChildProcess,
    readonly addresses: RealServerAddresses,
    exited: Promise<number | null>,
    output: { readonly stdout: () => string; readonly stderr: () => string },
  ) {
    this.#exited = exited;
    this.#output = output;
  }

  /** Starts the server with `tokens` (a tokens file is written) and `args`; resolves once it listens. */
  static async start(tokens: readonly TokenLine[], args: readonly string[] = []): Promise<RealServer> {
    const dir = mkdtempSync(join(tmpdir(), 'procwire-real-server-'));
    const tokensFile = join(dir, 'tokens');
    writeFileSync(tokensFile, tokens.map((line) => `${line.token} ${line.principal}${line.user === undefined ? '' : ` ${line.user}`}\n`).join(''));
    const readyFile = join(dir, 'ready.json');
    const child = spawn(
      process.execPath,
      [
        '--initial-old-space-size=64',
        mainScript,
        '--grpc-listen=127.0.0.1:0',
        '--http-listen=127.0.0.1:0',
        `--tokens-file=${tokensFile}`,
        `--ready-file=${readyFile}`,
        '--log-level=warn',
        ...args,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
    const deadline = Date.now() + 30_000;
    while (!existsSync(readyFile)) {
      if (child.exitCode !== null || Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`procwire-server did not become ready (exit ${child.exitCode}): ${stderr}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const addresses = JSON.parse(readFileSync(readyFile, 'utf8')) as RealServerAddresses;
    return new RealServer(child, addresses, exited, { stdout: () => stdout, stderr: () => stderr });
  }

  /** What the server wrote to stderr so far. */
  stderr(): string {
    return this.#output.stderr();
  }

  /** What the server wrote to stdout (its JSON log) so far. */
  stdout(): string {
    return this.#output.stdout();
  }

  /** The server's resident memory now, from /proc. */
  rssBytes(): number {
    const status = readFileSync(`/proc/${this.addresses.pid}/status`, 'utf8');
    const kib = Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1] ?? Number.NaN);
    return kib * 1024;
  }

  /** Open file descriptors of the server now. */
  openDescriptors(): number {
    return Number(execFileSync('sh', ['-c', `ls /proc/${this.addresses.pid}/fd | wc -l`], { encoding: 'utf8' }).trim());
  }

  /** GET a path of the HTTP listener: the status, or 0 when it failed or took over `timeoutMs`. */
  httpGet(path: string, timeoutMs = 2000): Promise<{ status: number; body: string }> {
    return new Promise((resolve) => {
      const request = get(`${this.addresses.http}${path}`, { timeout: timeoutMs, agent: false }, (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          body += chunk;
        });
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
        response.on('error', () => resolve({ status: 0, body }));
      });
      request.on('timeout', () => request.destroy());
      request.on('error', () => resolve({ status: 0, body: '' }));
    });
  }

  /** Sends `signal` and resolves with the exit code once the process is gone. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 30_000);
    try {
      return await this.#exited;
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Pids of processes whose command line holds `pattern` (e.g. `sleep 3601`), from /proc. */
export function pidsMatching(pattern: string): number[] {
  const out = execFileSync('sh', ['-c', `pgrep -f -x '${pattern}' || true`], { encoding: 'utf8' });
  return out
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map(Number);
}

/** Kills every process whose command line is exactly `pattern` (test clean-up). */
export function killMatching(pattern: string): void {
  for (const pid of pidsMatching(pattern)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone already.
    }
  }
}
