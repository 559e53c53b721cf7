/**
 * The real server app (apps/server), started as its own process with its defaults and a tokens
 * file, as users run it; for the CLI tests that need a server the way users meet one.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { eventually } from './cli-process.js';
import { aliceToken } from './targets.js';

const serverMain = fileURLToPath(new URL('../../server/dist/main.js', import.meta.url));

/** A running server app: where it listens, and `stop()`. */
export interface ServerAppProcess {
  /** `host:port` of gRPC and the `ws://` URL of WebSocket, from its ready file. */
  readonly grpc: string;
  readonly websocket: string;
  stop(): Promise<void>;
}

/** Starts the server app for alice's token (`aliceToken`) and waits for its ready file. */
export async function startServerApp(): Promise<ServerAppProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'procwire-cli-server-'));
  writeFileSync(join(dir, 'tokens'), `${aliceToken} alice\n`, { mode: 0o600 });
  const server = spawn(
    process.execPath,
    [serverMain, '--grpc-listen', '127.0.0.1:0', '--http-listen', '127.0.0.1:0', '--tokens-file', join(dir, 'tokens'), '--ready-file', join(dir, 'ready.json')],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  server.stderr.on('data', (chunk: Buffer) => {
    log += chunk.toString();
  });
  const exited = new Promise((resolve) => server.on('exit', resolve));
  const stop = async () => {
    server.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const ready = await eventually(
      'the server app to write its ready file',
      async () => {
        try {
          return JSON.parse(readFileSync(join(dir, 'ready.json'), 'utf8')) as { grpc: string; websocket: string };
        } catch {
          return undefined;
        }
      },
      30_000,
    );
    return { grpc: ready.grpc, websocket: ready.websocket, stop };
  } catch (error) {
    await stop();
    throw new Error(`the server app did not start (its log: ${log})`, { cause: error });
  }
}
