import type { ProcessInfo } from '@procwire/core';

/** One process as `ps --json` prints it (a stable shape for scripts). */
export interface ProcessSummary {
  readonly id: string;
  readonly argv: readonly string[];
  readonly state: 'running' | 'exited';
  /** `null` while running. */
  readonly exitCode: number | null;
  /** The signal that ended it, or `null`. */
  readonly signal: string | null;
  /** ISO 8601, UTC. */
  readonly startedAt: string;
  /** The OS pid on the host, or `null` where there is none. */
  readonly pid: number | null;
}

/** The JSON shape of one process. */
export function toProcessSummary(info: ProcessInfo): ProcessSummary {
  return {
    id: info.processId,
    argv: info.argv,
    state: info.state,
    exitCode: info.exit?.code ?? null,
    signal: info.exit?.signal ?? null,
    startedAt: new Date(info.startedAt).toISOString(),
    pid: info.pid ?? null,
  };
}

/** A table for people: ID, PID, STATE, EXIT, STARTED, COMMAND; a header even when empty. */
export function formatProcessTable(processes: readonly ProcessInfo[]): string {
  const rows = [
    ['ID', 'PID', 'STATE', 'EXIT', 'STARTED', 'COMMAND'],
    ...processes.map((info) => {
      const summary = toProcessSummary(info);
      return [
        summary.id,
        summary.pid === null ? '-' : String(summary.pid),
        summary.state,
        summary.exitCode === null ? '-' : summary.signal === null ? String(summary.exitCode) : `${summary.exitCode} (${summary.signal})`,
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
