/** Exec round trip of `true` (spawn to exit code) and interactive echo latency in a pty. */
import type { ClientJob } from '../client-process.js';
import type { BenchContext } from '../context.js';
import { measureInClient } from './client-rows.js';
import type { Metrics, Row, RowSink } from '../row.js';
import { percentile } from '../stats.js';

/** Steady-state figures under the usual names (the targets), the fresh client's or session's as `cold`. */
function warmAndColdMetrics({ cold, warm }: { readonly cold: readonly number[]; readonly warm: readonly number[] }): Metrics {
  return {
    'p50 ms': percentile(warm, 50),
    'p99 ms': percentile(warm, 99),
    'max ms': Math.max(...warm),
    'cold p50 ms': percentile(cold, 50),
    'cold p99 ms': percentile(cold, 99),
    'cold max ms': Math.max(...cold),
    samples: warm.length,
  };
}

/**
 * `exec(['true'])` + `wait()` against raw spawn + exit and `ssh` through a ControlMaster, each in its
 * family's client process (client-child.ts). Like the echo rows, the figures are a client's steady
 * state (after `execWarmup` more round trips) and its first ones as `cold`; ssh starts a new
 * client process each time, so its one set of samples is both.
 */
export async function execRoundTrip(context: BenchContext, sink: RowSink): Promise<void> {
  const { transports, execWarmup: warmup } = context.options;
  const count = Math.min(context.options.samples, 300);
  const scenario = 'exec-round-trip';
  const measure = (base: Pick<Row, 'subject' | 'role' | 'transport'>, job: ClientJob) =>
    measureInClient(context, sink, { scenario, ...base }, context.options.runs, job, (result) => warmAndColdMetrics(result.roundTrips!));
  if (transports.has('local-pipe')) {
    measure({ subject: 'raw child_process', role: 'baseline', transport: 'local-pipe' }, { kind: 'raw-exec', count, warmup });
  }
  for (const transport of ['local-pipe', ...context.remoteTransports()] as const) {
    if (!transports.has(transport)) continue;
    const target = context.target(transport);
    if (typeof target === 'string') {
      sink.skip({ scenario, subject: `procwire ${transport}`, role: 'procwire', transport }, target);
      continue;
    }
    const job: ClientJob =
      target.endpoint === undefined ? { kind: 'procwire-exec', count, warmup } : { kind: 'procwire-exec', count, warmup, endpoint: target.endpoint };
    measure({ subject: target.subject, role: 'procwire', transport }, job);
  }
  if (transports.has('openssh')) {
    const subject = { scenario, subject: 'OpenSSH ssh (ControlMaster)', role: 'baseline', transport: 'openssh' } as const;
    const ssh = context.ssh;
    if (typeof ssh === 'string') sink.skip(subject, ssh);
    else measure(subject, { kind: 'ssh-exec', count: Math.min(count, 100), warmup: 0, sshArgs: ssh.muxArgs() });
  }
}

/**
 * One byte to a raw-mode `cat` in a terminal and back, `samples` times. Each family's raw relay and
 * procwire client run in that family's client process (client-child.ts), as the bulk rows do. Each
 * run is a fresh session; runs alternate with the baselines', and a row's figures are medians over
 * them: a single session's p99 moves by 2-3x with what else runs on a shared machine.
 */
export async function echoLatency(context: BenchContext, sink: RowSink): Promise<void> {
  const { transports, samples, echoWarmup } = context.options;
  const plan = { samples, warmup: echoWarmup };
  const scenario = 'echo-latency';
  const measure = (base: Pick<Row, 'subject' | 'role' | 'transport'>, job: ClientJob) =>
    measureInClient(context, sink, { scenario, ...base }, context.options.runs, job, (result) => warmAndColdMetrics(result.echo!));
  if (transports.has('local-pty')) {
    measure({ subject: 'raw node-pty', role: 'baseline', transport: 'local-pty' }, { kind: 'raw-echo', plan });
  }
  for (const transport of ['local-pty', ...context.remoteTransports()] as const) {
    if (!transports.has(transport)) continue;
    if (transport !== 'local-pty') {
      // The floor for any Node relay over this wire (raw ws or raw grpc-js), in the same run.
      const raw = context.rawServers.get(transport)!;
      const subject = `${typeof raw === 'string' ? `raw ${transport}` : raw.subject} relay pty`;
      if (typeof raw === 'string') sink.skip({ scenario, subject, role: 'baseline', transport }, raw);
      else measure({ subject, role: 'baseline', transport }, { kind: 'raw-echo', plan, endpoint: raw.endpoint });
    }
    const target = context.target(transport);
    if (typeof target === 'string') {
      sink.skip({ scenario, subject: `procwire ${transport} pty`, role: 'procwire', transport }, target);
      continue;
    }
    const subject = transport === 'local-pty' ? target.subject : `${target.subject} pty`;
    const job: ClientJob = target.endpoint === undefined ? { kind: 'procwire-echo', plan } : { kind: 'procwire-echo', plan, endpoint: target.endpoint };
    measure({ subject, role: 'procwire', transport }, job);
  }
  if (transports.has('openssh')) {
    const subject = { scenario, subject: 'OpenSSH ssh -tt', role: 'baseline', transport: 'openssh' } as const;
    const ssh = context.ssh;
    if (typeof ssh === 'string') sink.skip(subject, ssh);
    else measure(subject, { kind: 'ssh-echo', plan, sshArgs: ssh.baseArgs() });
  }
}
