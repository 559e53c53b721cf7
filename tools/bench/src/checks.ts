/**
 * The targets the issues set, evaluated against the rows of one run: ratios to a baseline measured
 * in the same run, or absolute bounds. A check whose rows are missing says so instead of passing.
 */
import type { ScenarioName } from './options.js';
import { format, type Row } from './row.js';

/** The outcome of one target. */
export interface CheckResult {
  readonly scenario: ScenarioName;
  readonly what: string;
  /** The measured figure (a ratio or an absolute value), as text. */
  readonly measured: string;
  readonly target: string;
  /** `undefined` when a row it needs was not measured. */
  readonly met: boolean | undefined;
}

interface RatioCheck {
  readonly scenario: ScenarioName;
  readonly subject: string;
  readonly baseline: string;
  readonly metric: string;
  /** `min`: ratio must be at least `bound`; `max`: at most; `none`: report only. */
  readonly goal: 'min' | 'max' | 'none';
  readonly bound: number;
}

interface AbsoluteCheck {
  readonly scenario: ScenarioName;
  readonly subject: string;
  readonly what: string;
  readonly target: string;
  readonly evaluate: (row: Row) => { measured: string; met: boolean };
}

const grpcLike = ['procwire grpc', 'procwire grpc+tls'];
const wsLike = ['procwire websocket', 'procwire websocket+tls'];
/** The raw server each remote subject's echo is compared with. */
const relayOf: Readonly<Record<string, string>> = {
  'procwire grpc': 'raw grpc-js',
  'procwire grpc+tls': 'raw grpc-js+tls',
  'procwire websocket': 'raw ws',
  'procwire websocket+tls': 'raw ws+tls',
};

/** The user-path rows' subjects (scenarios/user-path.ts): the CLI binary against ssh's wall time. */
const userPathChecks: RatioCheck[] = [
  { scenario: 'user-path', subject: '1 GiB stdout: procwire CLI websocket', baseline: '1 GiB stdout: OpenSSH ssh (ControlMaster)', metric: 'wall s', goal: 'max', bound: 0.8 },
  { scenario: 'user-path', subject: '1 GiB stdout: procwire CLI grpc', baseline: '1 GiB stdout: OpenSSH ssh (ControlMaster)', metric: 'wall s', goal: 'max', bound: 1.0 },
  { scenario: 'user-path', subject: 'exec true: procwire CLI websocket', baseline: 'exec true: OpenSSH ssh (ControlMaster)', metric: 'wall s', goal: 'max', bound: 1.0 },
  { scenario: 'user-path', subject: 'exec true: procwire CLI grpc', baseline: 'exec true: OpenSSH ssh (ControlMaster)', metric: 'wall s', goal: 'max', bound: 1.0 },
];

const ratioChecks: RatioCheck[] = [
  ...userPathChecks,
  { scenario: 'stdout-throughput', subject: 'procwire local pipe', baseline: 'raw child_process', metric: 'MiB/s', goal: 'min', bound: 0.9 },
  { scenario: 'stdout-throughput', subject: 'procwire grpc', baseline: 'raw grpc-js', metric: 'MiB/s', goal: 'min', bound: 0.8 },
  { scenario: 'stdout-throughput', subject: 'procwire grpc+tls', baseline: 'raw grpc-js+tls', metric: 'MiB/s', goal: 'min', bound: 0.8 },
  ...grpcLike.map((subject): RatioCheck => ({ scenario: 'stdout-throughput', subject, baseline: 'OpenSSH ssh', metric: 'MiB/s', goal: 'min', bound: 1.0 })),
  { scenario: 'stdout-throughput', subject: 'procwire websocket', baseline: 'raw ws', metric: 'MiB/s', goal: 'min', bound: 0.7 },
  { scenario: 'stdout-throughput', subject: 'procwire websocket+tls', baseline: 'raw ws+tls', metric: 'MiB/s', goal: 'min', bound: 0.7 },
  ...wsLike.map((subject): RatioCheck => ({ scenario: 'stdout-throughput', subject, baseline: 'OpenSSH ssh', metric: 'MiB/s', goal: 'min', bound: 2.0 })),
  { scenario: 'pty-throughput', subject: 'procwire local pty', baseline: 'raw node-pty', metric: 'MiB/s', goal: 'min', bound: 0.9 },
  { scenario: 'stdin-throughput', subject: 'procwire local pipe', baseline: 'raw child_process', metric: 'MiB/s', goal: 'none', bound: 1 },
  ...[...grpcLike, ...wsLike].map((subject): RatioCheck => ({ scenario: 'stdin-throughput', subject, baseline: 'OpenSSH ssh', metric: 'MiB/s', goal: 'none', bound: 1 })),
  { scenario: 'exec-round-trip', subject: 'procwire local pipe', baseline: 'raw child_process', metric: 'p50 ms', goal: 'max', bound: 1.5 },
  ...[...grpcLike, ...wsLike].map((subject): RatioCheck => ({ scenario: 'exec-round-trip', subject, baseline: 'OpenSSH ssh (ControlMaster)', metric: 'p50 ms', goal: 'none', bound: 1 })),
  // Echo p99 against `ssh -tt`: the steady state is the target; a fresh session's (JIT compiles
  // included) is reported beside it.
  ...(['p99 ms', 'cold p99 ms'] as const).flatMap((metric) =>
    ['procwire local pty', ...grpcLike, ...wsLike].map((name): RatioCheck => ({
      scenario: 'echo-latency',
      subject: name === 'procwire local pty' ? name : `${name} pty`,
      baseline: 'OpenSSH ssh -tt',
      metric,
      goal: metric === 'p99 ms' ? 'max' : 'none',
      bound: 1.0,
    })),
  ),
  // Against a bare Node relay (raw grpc-js or `ws`, and node-pty): how far procwire is from the floor.
  ...[...grpcLike, ...wsLike].map((name): RatioCheck => ({
    scenario: 'echo-latency',
    subject: `${name} pty`,
    baseline: `${relayOf[name]} relay pty`,
    metric: 'p99 ms',
    goal: 'max',
    bound: 1.2,
  })),
  ...['procwire local pipe', ...grpcLike, ...wsLike].map((subject): RatioCheck => ({ scenario: 'concurrent', subject, baseline: 'raw child_process', metric: 'wall ms', goal: 'none', bound: 1 })),
];

const absoluteChecks: AbsoluteCheck[] = [
  {
    scenario: 'pty-throughput',
    subject: 'procwire local pty',
    what: 'procwire local pty: bytes lost (worst run)',
    target: '0 (raw node-pty: see its row)',
    evaluate: (row) => {
      const worst = Math.max(...(row.perRun['lostBytes'] ?? [Number.NaN]));
      return { measured: format(worst), met: worst === 0 };
    },
  },
  ...grpcLike.map((subject): AbsoluteCheck => ({
    scenario: 'exec-round-trip',
    subject,
    what: `${subject}: exec+wait p50`,
    target: '< 5 ms',
    evaluate: (row) => ({ measured: `${format(row.metrics['p50 ms']!)} ms`, met: row.metrics['p50 ms']! < 5 }),
  })),
  ...['procwire local pipe', ...grpcLike, ...wsLike].map((subject): AbsoluteCheck => ({
    scenario: 'concurrent',
    subject,
    what: `${subject}: outputs correct (worst run)`,
    target: 'all',
    evaluate: (row) => {
      const worst = Math.min(...(row.perRun['correct'] ?? [0]));
      const expected = Math.max(...(row.perRun['correct'] ?? [0]), worst);
      return { measured: String(worst), met: worst === expected && !row.notes.some((note) => note.startsWith('only ')) };
    },
  })),
  ...['procwire local pipe', ...grpcLike, ...wsLike].flatMap((subject): AbsoluteCheck[] => [
    {
      scenario: 'slow-consumer',
      subject,
      what: `${subject}: producer paused (bytes produced beyond the reader)`,
      target: '<= window + 1 MiB',
      evaluate: (row) => ({
        measured: `${format(row.metrics['max ahead of reader MiB']!)} MiB (window ${format(row.metrics['window MiB']!)} MiB)`,
        met: row.metrics['max ahead of reader MiB']! <= row.metrics['window MiB']! + 1,
      }),
    },
    {
      scenario: 'slow-consumer',
      subject,
      what: `${subject}: host memory growth`,
      target: '<= window + 32 MiB',
      evaluate: (row) => ({
        measured: `${format(row.metrics['host rss growth MiB']!)} MiB rss`,
        met: row.metrics['host rss growth MiB']! <= row.metrics['window MiB']! + 32,
      }),
    },
  ]),
];

function find(rows: readonly Row[], scenario: ScenarioName, subject: string): Row | undefined {
  return rows.find((row) => row.scenario === scenario && row.subject === subject && row.skipped === undefined);
}

/** Evaluate every target whose scenario ran. */
export function evaluateChecks(rows: readonly Row[]): CheckResult[] {
  const ran = new Set(rows.map((row) => `${row.scenario}|${row.subject}`));
  const results: CheckResult[] = [];
  for (const check of ratioChecks) {
    if (!ran.has(`${check.scenario}|${check.subject}`) && !ran.has(`${check.scenario}|${check.baseline}`)) continue;
    const row = find(rows, check.scenario, check.subject);
    const base = find(rows, check.scenario, check.baseline);
    const what = `${check.subject} / ${check.baseline} (${check.metric})`;
    const target = check.goal === 'min' ? `>= ${check.bound}x` : check.goal === 'max' ? `<= ${check.bound}x` : 'report';
    if (row === undefined || base === undefined) {
      results.push({ scenario: check.scenario, what, measured: 'not measured', target, met: undefined });
      continue;
    }
    const ratio = row.metrics[check.metric]! / base.metrics[check.metric]!;
    const met = check.goal === 'min' ? ratio >= check.bound : check.goal === 'max' ? ratio <= check.bound : undefined;
    results.push({ scenario: check.scenario, what, measured: `${ratio.toFixed(2)}x`, target, met });
  }
  for (const check of absoluteChecks) {
    if (!ran.has(`${check.scenario}|${check.subject}`)) continue;
    const row = find(rows, check.scenario, check.subject);
    if (row === undefined) {
      results.push({ scenario: check.scenario, what: check.what, measured: 'not measured', target: check.target, met: undefined });
      continue;
    }
    results.push({ scenario: check.scenario, what: check.what, target: check.target, ...check.evaluate(row) });
  }
  return results;
}
