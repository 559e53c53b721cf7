/**
 * Runs the real `procwire-server` (node with its flags, dist/main.js) as a child process on ephemeral ports and
 * reads the addresses it writes to its `--ready-file`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serverNodeFlags } from 'procwire-server/node-flags';

/** Where the started server listens, as its ready file says. */
export interface ReadyAddresses {
  readonly grpc: string;
  readonly http: string;
  readonly websocket: string;
  readonly pid: number;
}

/** A running server process. */
export interface ServerProcess {
  readonly child: ChildProcess;
  readonly addresses: ReadyAddresses;
  /** Everything written to stdout (the JSON log) so far. */
  stdout(): string;
  /** Everything written to stderr (the banner) so far. */
  stderr(): string;
  /** Sends `signal` and resolves with the exit code (null when killed by a signal). */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

const mainScript = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

/** Spawns the server with `args` (plus ports 0 and a ready file) and waits until it listens. */
export async function startServerProcess(args: readonly string[], timeoutMs = 30_000): Promise<ServerProcess> {
  const readyFile = join(mkdtempSync(join(tmpdir(), 'procwire-ready-')), 'ready.json');
  const child = spawn(
    process.execPath,
    [...serverNodeFlags, mainScript, '--grpc-listen=127.0.0.1:0', '--http-listen=127.0.0.1:0', `--ready-file=${readyFile}`, ...args],
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
  // 'close', not 'exit': only then has every byte of stdout and stderr arrived.
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(readyFile) || readFileSync(readyFile, 'utf8').trim() === '') {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the server did not become ready (exit ${child.exitCode}); stderr:\n${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const addresses = JSON.parse(readFileSync(readyFile, 'utf8')) as ReadyAddresses;
  return {
    child,
    addresses,
    stdout: () => stdout,
    stderr: () => stderr,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** Runs the server to completion with `args` (for --help and bad configuration). */
export function runServerToExit(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...serverNodeFlags, mainScript, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** True while a process with this pid runs (a zombie waiting for its reaper counts as gone). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    // /proc/<pid>/stat: "pid (comm) state ..."; comm may hold spaces, so split after the last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}
