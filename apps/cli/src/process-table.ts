import type { ExitStatus, ProcessDetails } from '@procwire/core';

/**
 * One process as `ps --json` prints it: the names of `client.list()`'s items (`id`, `argv`, `cwd`,
 * `pid`, `state`, `exit`, `startedAt`, `exitedAt`), with the times as ISO 8601 strings (UTC)
 * instead of milliseconds, and `null` for what is not there.
 */
export interface ProcessSummary {
  readonly id: string;
  readonly argv: readonly string[];
  readonly cwd: string | null;
  /** The OS pid on the host, or `null` where there is none. */
  readonly pid: number | null;
  readonly state: 'running' | 'exited';
  /** `{ code, signal?, timedOut? }` once exited; `null` while running. */
  readonly exit: ExitStatus | null;
  /** ISO 8601, UTC. */
  readonly startedAt: string;
  /** ISO 8601, UTC; `null` while running. */
  readonly exitedAt: string | null;
}

/** The JSON shape of one process. */
export function toProcessSummary(info: ProcessDetails): ProcessSummary {
  return {
    id: info.id,
    argv: info.argv,
    cwd: info.cwd ?? null,
    pid: info.pid ?? null,
    state: info.state,
    exit: info.exit ?? null,
    startedAt: new Date(info.startedAt).toISOString(),
    exitedAt: info.exitedAt === undefined ? null : new Date(info.exitedAt).toISOString(),
  };
}

/** A table for people: ID, PID, STATE, EXIT, STARTED, COMMAND; a header even when empty. */
export function formatProcessTable(processes: readonly ProcessDetails[]): string {
  const rows = [
    ['ID', 'PID', 'STATE', 'EXIT', 'STARTED', 'COMMAND'],
    ...processes.map((info) => {
      const summary = toProcessSummary(info);
      return [
        summary.id,
        summary.pid === null ? '-' : String(summary.pid),
        summary.state,
        summary.exit === null ? '-' : summary.exit.signal === undefined ? String(summary.exit.code) : `${summary.exit.code} (${summary.exit.signal})`,
        summary.startedAt.replace(/\.\d+Z$/, 'Z'),
        summary.argv.map(quoteArgument).join(' '),
      ];
    }),
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows
    .map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  '))
    .join('\n')
    .concat('\n');
}

/** Quote an argument the way a POSIX shell would need it, so the command can be copied. */
function quoteArgument(argument: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(argument) ? argument : `'${argument.replace(/'/g, `'\\''`)}'`;
}
