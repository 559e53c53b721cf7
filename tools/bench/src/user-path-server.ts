/**
 * procwire-server as a user starts it: `pnpm start`'s command (`node --initial-old-space-size=64
 * apps/server/dist/main.js`) with every default, except free ports on 127.0.0.1, a tokens file and
 * a ready file (to learn the ports). Its log goes to /dev/null.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const require = createRequire(import.meta.url);

/** The `procwire` binary users install (the CLI package's `bin`). */
export function procwireBinary(): string {
  const manifestPath = require.resolve('procwire/package.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { bin: { procwire: string } };
  return join(dirname(manifestPath), manifest.bin.procwire);
}

/** A running procwire-server and how the CLI reaches it. */
export class UserPathServer {
  private constructor(
    private readonly child: ChildProcess,
    readonly grpcUrl: string,
    readonly websocketUrl: string,
    readonly token: string,
  ) {}

  static async start(dir: string): Promise<UserPathServer> {
    const manifestPath = require.resolve('procwire-server/package.json');
    const main = join(dirname(manifestPath), 'dist', 'main.js');
    const token = 'user-path-bench-token-0123456789';
    const tokensFile = join(dir, 'user-path-tokens');
    const readyFile = join(dir, 'user-path-ready.json');
    writeFileSync(tokensFile, `${token} bench\n`, { mode: 0o600 });
    const args = ['--grpc-listen', '127.0.0.1:0', '--http-listen', '127.0.0.1:0', '--tokens-file', tokensFile, '--ready-file', readyFile];
    const child = spawn(process.execPath, ['--initial-old-space-size=64', main, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (data: Buffer) => {
      stderr = (stderr + data.toString()).slice(-2000);
    });
    for (let attempt = 0; attempt < 300 && !existsSync(readyFile); attempt++) {
      if (child.exitCode !== null) throw new Error(`procwire-server exited with ${child.exitCode}: ${stderr.trim()}`);
      await sleep(50);
    }
    if (!existsSync(readyFile)) {
      await stopServer(child);
      throw new Error(`procwire-server did not become ready in 15 s: ${stderr.trim()}`);
    }
    const ready = JSON.parse(readFileSync(readyFile, 'utf8')) as { grpc: string; websocket: string };
    return new UserPathServer(child, `grpc://${ready.grpc}`, ready.websocket, token);
  }

  async stop(): Promise<void> {
    await stopServer(this.child);
  }
}

/** SIGTERM (the server's graceful shutdown), then SIGKILL after 10 s; resolves once it exited. */
async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
