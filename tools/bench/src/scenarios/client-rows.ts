/** Rows measured in a client process (client-child.ts): how a scenario queues them. */
import type { ClientJob, ClientResult } from '../client-process.js';
import type { BenchContext } from '../context.js';
import type { Metrics, Row, RowSink } from '../row.js';

/**
 * Queue a row whose runs are `job`, run in the client process of the row's transport family (the
 * row is skipped with the reason when that process is missing); `metricsOf` turns a result into
 * the row's metrics.
 */
export function measureInClient(
  context: BenchContext,
  sink: RowSink,
  base: Pick<Row, 'scenario' | 'subject' | 'role' | 'transport'>,
  runs: number,
  job: ClientJob,
  metricsOf: (result: ClientResult) => Metrics,
): void {
  const child = context.clientProcess(base.transport);
  if (typeof child === 'string') sink.skip(base, child);
  else sink.measure(base, runs, async () => metricsOf(await child.run(job)));
}
