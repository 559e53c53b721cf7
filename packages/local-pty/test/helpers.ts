/** Helpers shared by this package's tests (not a test file). */
import type { ExitStatus, OutputFd, StartRequest, Transport } from '@procwire/core/transport';

/**
 * The three ways a pipe-mode process starts, as `localTransport` options: posix_spawn (the
 * default), a fork through child_process, and a fork in the spawn helper.
 */
export const pipeSpawnModes = [
  { name: 'posix_spawn', options: {} },
  { name: 'child_process', options: { vforkSpawn: false } },
  { name: 'the spawn helper', options: { spawnHelper: true, vforkSpawn: false } },
] as const;

let counter = 0;
/** A fresh process id. */
export function nextId(prefix = 'p'): string {
  counter++;
  return `${prefix}-${process.pid}-${counter}`;
}

/** Reads an output stream from `offset` to EOF. */
export async function readAll(
  transport: Transport,
  processId: string,
  fd: OutputFd,
  options: { offset?: number; principal?: string } = {},
): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  const call = options.principal === undefined ? undefined : { principal: options.principal };
  for await (const chunk of transport.readOutput({ processId, fd, offset: options.offset ?? 0 }, call)) {
    parts.push(chunk.data);
  }
  return Buffer.concat(parts);
}

/** Reads stdout to EOF as text. */
export async function readText(transport: Transport, processId: string, fd: OutputFd = 1): Promise<string> {
  return (await readAll(transport, processId, fd)).toString('utf8');
}

/** One line of `/proc/<pid>/stat`: the fields these tests look at. */
export interface ProcStat {
  readonly pid: number;
  /** `R`, `S`, ..., `Z` for a zombie. */
  readonly state: string;
  readonly ppid: number;
  readonly pgrp: number;
}

/** Every process on the machine, as `/proc` shows it now (ones that vanish meanwhile are left out). */
export async function procStats(): Promise<ProcStat[]> {
  const { readdir, readFile } = await import('node:fs/promises');
  const stats: ProcStat[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = await readFile(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    // Fields after the command name (which may hold spaces): state ppid pgrp ...
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    stats.push({ pid: Number(entry), state: fields[0]!, ppid: Number(fields[1]), pgrp: Number(fields[2]) });
  }
  return stats;
}

/** Live (not zombie) members of process group `pgid`. */
export async function groupMembers(pgid: number): Promise<number> {
  return (await procStats()).filter((stat) => stat.pgrp === pgid && stat.state !== 'Z').length;
}

/** True while any process of process group `pgid` is alive (zombies excluded). */
export async function groupAlive(pgid: number): Promise<boolean> {
  return (await groupMembers(pgid)) > 0;
}

/** Polls `check` until it is true or `timeoutMs` passes; returns the last result. */
export async function eventually(check: () => Promise<boolean> | boolean, timeoutMs = 10_000): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > end) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A pipe-mode start request (stdout and stderr piped). */
export function pipeRequest(processId: string, argv: string[], extra: Partial<StartRequest> = {}): StartRequest {
  return { processId, argv, stdout: 'pipe', stderr: 'pipe', ...extra };
}

/** A pty-mode start request (80x24, xterm-256color). */
export function ptyRequest(processId: string, argv: string[], extra: Partial<StartRequest> = {}): StartRequest {
  return { processId, argv, stdout: 'pipe', stderr: 'pipe', pty: { cols: 80, rows: 24, term: 'xterm-256color' }, ...extra };
}

/** Starts `request`, waits for the exit, and returns the status with stdout and stderr as text. */
export async function run(
  transport: Transport,
  request: StartRequest,
): Promise<{ status: ExitStatus; stdout: string; stderr: string }> {
  await transport.start(request);
  const status = await transport.wait({ processId: request.processId });
  const stdout = request.stdout === 'pipe' ? await readText(transport, request.processId, 1) : '';
  const stderr = request.stderr === 'pipe' ? await readText(transport, request.processId, 2) : '';
  return { status, stdout, stderr };
}

/** Resolves `'pending'` unless `promise` settles within `ms`. */
export async function stillPending(promise: Promise<unknown>, ms: number): Promise<'settled' | 'pending'> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const settled = promise.then(
    () => 'settled' as const,
    () => 'settled' as const,
  );
  const pending = new Promise<'pending'>((resolve) => {
    timer = setTimeout(() => resolve('pending'), ms);
  });
  try {
    return await Promise.race([settled, pending]);
  } finally {
    clearTimeout(timer);
  }
}
