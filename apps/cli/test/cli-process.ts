// Runs the real bundled binary (dist/bin/procwire.js) as a child process and collects what a user sees.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The built CLI entry point. */
export const cliPath = fileURLToPath(new URL('../dist/bin/procwire.js', import.meta.url));

/** What a finished CLI run left behind. */
export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: Buffer;
  readonly stderr: string;
}

/** Options of {@link runProcwire}. */
export interface RunOptions {
  /** Bytes for the CLI's stdin; without it stdin is an open pipe that never sends EOF. */
  readonly input?: Buffer | string;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Fail the run (kill the CLI) after this long; generous, so a loaded machine still passes. */
  readonly deadlineMs?: number;
}

/** Start the CLI; the caller drives it and awaits `finished`. */
export function startProcwire(args: readonly string[], options: RunOptions = {}): {
  readonly child: ChildProcess;
  readonly finished: Promise<CliResult>;
  /** What the CLI has written to stdout so far. */
  stdoutSoFar(): string;
} {
  const env: Record<string, string | undefined> = {
    ...process.env,
    PROCWIRE_URL: undefined,
    PROCWIRE_TOKEN: undefined,
    ...options.env,
  };
  const child = spawn(process.execPath, [cliPath, ...args], {
    env: Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined)),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout!.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk));
  child.stdin!.on('error', () => undefined);
  if (options.input !== undefined) child.stdin!.end(options.input);
  const deadline = setTimeout(() => child.kill('SIGKILL'), options.deadlineMs ?? 60_000);
  const finished = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(deadline);
      resolve({ code, signal, stdout: Buffer.concat(stdout), stderr: Buffer.concat(stderr).toString('utf8') });
    });
  });
  return { child, finished, stdoutSoFar: () => Buffer.concat(stdout).toString('utf8') };
}

/** Run the CLI to the end. */
export function runProcwire(args: readonly string[], options: RunOptions = {}): Promise<CliResult> {
  return startProcwire(args, { input: '', ...options }).finished;
}

/** Poll `check` until it returns a value, or fail after `timeoutMs` with `what`. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
