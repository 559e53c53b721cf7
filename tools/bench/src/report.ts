/** Writes one run's rows and checks as markdown (for BENCHMARKS.md) and JSON. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import type { CheckResult } from './checks.js';
import type { BenchOptions } from './options.js';
import { format, type Row } from './row.js';

/** Where and when a run happened. */
export interface RunInfo {
  readonly date: string;
  readonly command: string;
  readonly node: string;
  readonly cpus: number;
  readonly cpuModel: string;
  readonly memoryGiB: number;
  readonly durationSeconds: number;
  readonly sshCipher: string;
  /** One-minute load average at the start and at the end of the run (the machine is shared). */
  readonly loadAverage: readonly [number, number];
}

/** Facts about this machine and run. */
export function describeRun(
  command: string,
  startedAt: Date,
  sshCipher: string,
  loadAverage: readonly [number, number],
): RunInfo {
  return {
    date: startedAt.toISOString(),
    command,
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    durationSeconds: Math.round((Date.now() - startedAt.getTime()) / 1000),
    sshCipher,
    loadAverage,
  };
}

function describeOptions(options: BenchOptions): string {
  return [
    `${options.runs} run(s) per subject (the slow consumer: one)`,
    `throughput ${options.bytes} bytes locally, ${options.networkBytes} bytes over gRPC, WebSocket and OpenSSH`,
    `pty throughput ${options.ptyBytes} bytes`,
    `${options.samples} latency samples per run (exec round trip: at most 300, ssh at most 100), steady-state ones after ${options.echoWarmup} echo and ${options.execWarmup} exec round trips (ssh exec: none, a new process each time)`,
    `${options.concurrency} concurrent processes`,
    `slow consumer ${options.slowSeconds} s`,
    `server processes run with Node flags: ${options.serverNodeFlags.length === 0 ? 'none' : options.serverNodeFlags.join(' ')}`,
  ].join('; ');
}

/** The markdown tables: one per scenario, then the targets. */
export function renderMarkdown(info: RunInfo, options: BenchOptions, rows: readonly Row[], checks: readonly CheckResult[]): string {
  const lines: string[] = [];
  lines.push(`Run ${info.date} on ${info.cpus} x ${info.cpuModel}, ${info.memoryGiB} GiB, Node ${info.node}; took ${info.durationSeconds} s; load average ${info.loadAverage[0].toFixed(1)} at the start, ${info.loadAverage[1].toFixed(1)} at the end.`);
  lines.push('', `Command: \`${info.command}\``, '', `Settings: ${describeOptions(options)}. Figures are medians over the runs.`);
  if (info.sshCipher !== 'unknown') lines.push('', `OpenSSH cipher: ${info.sshCipher}.`);
  const scenarios = [...new Set(rows.map((row) => row.scenario))];
  for (const scenario of scenarios) {
    const scenarioRows = rows.filter((row) => row.scenario === scenario);
    const metrics = [...new Set(scenarioRows.flatMap((row) => Object.keys(row.metrics)))];
    lines.push('', `### ${scenario}`, '');
    lines.push(`| subject | ${metrics.join(' | ')} | notes |`);
    lines.push(`| --- | ${metrics.map(() => '---:').join(' | ')} | --- |`);
    for (const row of scenarioRows) {
      const cells = metrics.map((metric) => (row.metrics[metric] === undefined ? '' : format(row.metrics[metric]!)));
      const notes = row.skipped ? [`skipped: ${row.skipped}`] : [...row.notes];
      const lost = row.perRun['lostBytes'];
      if (lost?.some((value) => value !== 0)) {
        notes.push(`lost bytes per run: ${lost.join(', ')}`);
      }
      lines.push(`| ${row.subject} | ${cells.join(' | ')} | ${notes.join('; ').replaceAll('|', '\\|')} |`);
    }
  }
  lines.push('', '### targets', '', '| scenario | what | measured | target | met |', '| --- | --- | ---: | --- | --- |');
  for (const check of checks) {
    const met = check.met === undefined ? 'n/a' : check.met ? 'met' : '**not met**';
    lines.push(`| ${check.scenario} | ${check.what} | ${check.measured} | ${check.target} | ${met} |`);
  }
  return `${lines.join('\n')}\n`;
}

/** Write latest.md and latest.json into the output directory; returns their paths. */
export function writeResults(
  outDir: string,
  info: RunInfo,
  options: BenchOptions,
  rows: readonly Row[],
  checks: readonly CheckResult[],
): string[] {
  mkdirSync(outDir, { recursive: true });
  const markdownPath = join(outDir, 'latest.md');
  const jsonPath = join(outDir, 'latest.json');
  writeFileSync(markdownPath, renderMarkdown(info, options, rows, checks));
  const jsonOptions = { ...options, scenarios: [...options.scenarios], transports: [...options.transports] };
  writeFileSync(jsonPath, `${JSON.stringify({ info, options: jsonOptions, rows, checks }, null, 2)}\n`);
  return [markdownPath, jsonPath];
}
