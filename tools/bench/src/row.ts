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

/** Run `measureOnce` `runs` times (one after another) and keep the medians of every metric. */
export async function measureRuns(
  runs: number,
  measureOnce: (run: number) => Promise<Metrics>,
): Promise<{ metrics: Metrics; perRun: Record<string, number[]> }> {
  const perRun: Record<string, number[]> = {};
  for (let run = 0; run < runs; run++) {
    const metrics = await measureOnce(run);
    for (const [name, value] of Object.entries(metrics)) {
      perRun[name] = [...(perRun[name] ?? []), value];
    }
  }
  const metrics: Metrics = {};
  for (const [name, values] of Object.entries(perRun)) metrics[name] = median(values);
  return { metrics, perRun };
}

/** Where a scenario's rows are collected, with a skip note for what cannot run. */
export class RowSink {
  readonly rows: Row[] = [];

  constructor(private readonly log: (line: string) => void) {}

  /**
   * Measure one subject; a thrown error makes the row "skipped" with the error's message, so
   * one broken subject never stops the run.
   */
  async measure(
    base: Pick<Row, 'scenario' | 'subject' | 'role' | 'transport'>,
    runs: number,
    measureOnce: (run: number, notes: string[]) => Promise<Metrics>,
  ): Promise<Row> {
    const notes: string[] = [];
    const started = Date.now();
    let row: Row;
    try {
      const { metrics, perRun } = await measureRuns(runs, (run) => measureOnce(run, notes));
      row = { ...base, metrics, perRun, notes: [...new Set(notes)] };
    } catch (error) {
      row = { ...base, metrics: {}, perRun: {}, notes: [...new Set(notes)], skipped: reasonOf(error) };
    }
    this.rows.push(row);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const figures = Object.entries(row.metrics)
      .map(([name, value]) => `${name}=${format(value)}`)
      .join(' ');
    this.log(`  ${base.scenario} | ${base.subject}: ${row.skipped ? `SKIPPED (${row.skipped})` : figures} [${seconds}s]`);
    return row;
  }

  /** Record a row that cannot run at all. */
  skip(base: Pick<Row, 'scenario' | 'subject' | 'role' | 'transport'>, reason: string): void {
    this.rows.push({ ...base, metrics: {}, perRun: {}, notes: [], skipped: reason });
    this.log(`  ${base.scenario} | ${base.subject}: SKIPPED (${reason})`);
  }
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
