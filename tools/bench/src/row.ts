/** A row of the results table: one subject measured in one scenario, and how rows are compared. */
import type { ScenarioName, TransportName } from './options.js';
import { median } from './stats.js';

/** Per-run metric values, keyed by metric name. */
export type Metrics = Record<string, number>;

/** One subject (a baseline or a procwire transport) in one scenario. */
export interface Row {
  readonly scenario: ScenarioName;
  /** Unique within the scenario, e.g. `raw child_process` or `procwire grpc`. */
  readonly subject: string;
  readonly role: 'baseline' | 'procwire';
  /** The transport family the row belongs to (baselines: the family they are the baseline of). */
  readonly transport: TransportName;
  /** Medians over the runs, by metric name. */
  readonly metrics: Metrics;
  /** Every run's value, by metric name (in run order). */
  readonly perRun: Record<string, number[]>;
  readonly notes: string[];
  /** Set when the row could not be measured: the reason. */
  readonly skipped?: string;
}

/** A subject queued in a {@link RowSink}, with what its runs gave so far. */
interface Subject {
  readonly base: Pick<Row, 'scenario' | 'subject' | 'role' | 'transport'>;
  readonly runs: number;
  readonly measureOnce: (run: number, notes: string[]) => Promise<Metrics>;
  readonly notes: string[];
  readonly perRun: Record<string, number[]>;
  /** Set when a run threw (the row becomes "skipped"), or for a subject that cannot run at all. */
  failure?: string;
  ms: number;
}

/**
 * Where a scenario's rows are collected. Subjects are queued with `measure()` and measured by
 * `runQueued()` in rounds: each round runs every subject once, in the order they were queued.
 * On a shared machine the speed drifts over seconds; interleaving the runs gives a baseline and
 * its procwire row the same drift, so their ratio measures the code rather than the minute.
 */
export class RowSink {
  readonly rows: Row[] = [];
  private queued: Subject[] = [];

  constructor(private readonly log: (line: string) => void) {}

  /**
   * Queue one subject for `runs` runs. A thrown error makes the row "skipped" with the error's
   * message and ends that subject's runs, so one broken subject never stops the others.
   */
  measure(
    base: Pick<Row, 'scenario' | 'subject' | 'role' | 'transport'>,
    runs: number,
    measureOnce: (run: number, notes: string[]) => Promise<Metrics>,
  ): void {
    this.queued.push({ base, runs, measureOnce, notes: [], perRun: {}, ms: 0 });
  }

  /** Queue a row that cannot run at all (it keeps its place among the queued rows). */
  skip(base: Pick<Row, 'scenario' | 'subject' | 'role' | 'transport'>, reason: string): void {
    const never = () => Promise.reject(new Error(reason));
    this.queued.push({ base, runs: 0, measureOnce: never, notes: [], perRun: {}, failure: reason, ms: 0 });
  }

  /** Measure every queued subject, round by round, then record and log their rows in queue order. */
  async runQueued(): Promise<void> {
    const subjects = this.queued;
    this.queued = [];
    const rounds = Math.max(0, ...subjects.map((subject) => subject.runs));
    for (let run = 0; run < rounds; run++) {
      for (const subject of subjects) {
        if (subject.failure !== undefined || run >= subject.runs) continue;
        const started = Date.now();
        try {
          const metrics = await subject.measureOnce(run, subject.notes);
          for (const [name, value] of Object.entries(metrics)) {
            subject.perRun[name] = [...(subject.perRun[name] ?? []), value];
          }
        } catch (error) {
          subject.failure = reasonOf(error);
        }
        subject.ms += Date.now() - started;
      }
    }
    for (const subject of subjects) this.record(subject);
  }

  private record(subject: Subject): void {
    const { base, failure, perRun } = subject;
    const notes = [...new Set(subject.notes)];
    const row: Row =
      failure === undefined
        ? { ...base, metrics: medians(perRun), perRun, notes }
        : { ...base, metrics: {}, perRun: {}, notes, skipped: failure };
    this.rows.push(row);
    const figures = Object.entries(row.metrics)
      .map(([name, value]) => `${name}=${format(value)}`)
      .join(' ');
    const seconds = (subject.ms / 1000).toFixed(1);
    this.log(`  ${base.scenario} | ${base.subject}: ${row.skipped ? `SKIPPED (${row.skipped})` : `${figures} [${seconds}s]`}`);
  }
}

function medians(perRun: Record<string, number[]>): Metrics {
  const metrics: Metrics = {};
  for (const [name, values] of Object.entries(perRun)) metrics[name] = median(values);
  return metrics;
}

/** One line of an error, for a skip note. */
export function reasonOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]!.slice(0, 300);
}

/** A figure with sensible precision. */
export function format(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return String(value);
  const magnitude = Math.abs(value);
  return value.toFixed(magnitude >= 100 ? 0 : magnitude >= 10 ? 1 : magnitude >= 1 ? 2 : 3);
}
