/** Stdout throughput (bytes mode, `head -c N /dev/zero`), pty throughput, and stdin throughput (`cat >/dev/null`). */
import type { BenchContext } from '../context.js';
import type { ClientJob } from '../client-process.js';
import type { Metrics, Row, RowSink } from '../row.js';
import { mibPerSecond } from '../stats.js';
import { measureInClient } from './client-rows.js';

function metrics(bytes: number, received: number, ms: number): Metrics {
  return { 'MiB/s': mibPerSecond(received, ms), seconds: ms / 1000, lostBytes: bytes - received };
}

type Base = Pick<Row, 'scenario' | 'subject' | 'role' | 'transport'>;

/**
 * Queue a bulk row: `job` runs in the client process of the row's transport family
 * (client-child.ts), which times it, `runs` times.
 */
function measureBulk(context: BenchContext, sink: RowSink, base: Base, job: Extract<ClientJob, { bytes: number }>): void {
  measureInClient(context, sink, base, context.options.runs, job, (result) => metrics(job.bytes, result.received!, result.ms!));
}

/** A local baseline's row and procwire's local row beside it (skipped with the reason when the local host is missing). */
function measureLocalPair(
  context: BenchContext,
  sink: RowSink,
  scenario: Base['scenario'],
  transport: 'local-pipe' | 'local-pty',
  baseline: { readonly subject: string; readonly job: Extract<ClientJob, { bytes: number }> },
  procwireJob: Extract<ClientJob, { bytes: number }>,
): void {
  measureBulk(context, sink, { scenario, subject: baseline.subject, role: 'baseline', transport }, baseline.job);
  const subject = { scenario, subject: `procwire ${transport.replace('-', ' ')}`, role: 'procwire', transport } as const;
  const target = context.target(transport);
  if (typeof target === 'string') sink.skip(subject, target);
  else measureBulk(context, sink, subject, procwireJob);
}

/** Stdout throughput for every selected subject. */
export async function stdoutThroughput(context: BenchContext, sink: RowSink): Promise<void> {
  const { transports, networkBytes } = context.options;
  const localBytes = context.options.bytes;
  const scenario = 'stdout-throughput';
  if (transports.has('local-pipe')) {
    const baseline = { subject: 'raw child_process', job: { kind: 'raw-stdout', bytes: localBytes } } as const;
    measureLocalPair(context, sink, scenario, 'local-pipe', baseline, { kind: 'procwire-stdout', bytes: localBytes });
  }
  for (const transport of context.remoteTransports()) {
    const raw = context.rawServers.get(transport)!;
    if (typeof raw === 'string') sink.skip({ scenario, subject: `raw ${transport}`, role: 'baseline', transport }, raw);
    else {
      const job = { kind: 'raw-stdout', bytes: networkBytes, endpoint: raw.endpoint } as const;
      measureBulk(context, sink, { scenario, subject: raw.subject, role: 'baseline', transport }, job);
    }
    const target = context.target(transport);
    if (typeof target === 'string') sink.skip({ scenario, subject: `procwire ${transport}`, role: 'procwire', transport }, target);
    else {
      const job = { kind: 'procwire-stdout', bytes: networkBytes, endpoint: target.endpoint! } as const;
      measureBulk(context, sink, { scenario, subject: target.subject, role: 'procwire', transport }, job);
    }
  }
  if (transports.has('openssh')) {
    const subject = { scenario, subject: 'OpenSSH ssh', role: 'baseline', transport: 'openssh' } as const;
    const ssh = context.ssh;
    if (typeof ssh === 'string') sink.skip(subject, ssh);
    else measureBulk(context, sink, subject, { kind: 'ssh-stdout', bytes: networkBytes, sshArgs: ssh.baseArgs() });
  }
}

/** Pty throughput: raw node-pty (bytes seen by `onExit`) against procwire's local pty (bytes before `wait()`). */
export async function ptyThroughput(context: BenchContext, sink: RowSink): Promise<void> {
  const { ptyBytes, transports } = context.options;
  if (!transports.has('local-pty')) return;
  const scenario = 'pty-throughput';
  const baseline = { subject: 'raw node-pty', job: { kind: 'raw-pty', bytes: ptyBytes } } as const;
  measureLocalPair(context, sink, scenario, 'local-pty', baseline, { kind: 'procwire-pty', bytes: ptyBytes });
}

/** Stdin throughput into `cat >/dev/null`. */
export async function stdinThroughput(context: BenchContext, sink: RowSink): Promise<void> {
  const { transports, networkBytes } = context.options;
  const localBytes = context.options.bytes;
  const scenario = 'stdin-throughput';
  if (transports.has('local-pipe')) {
    const baseline = { subject: 'raw child_process', job: { kind: 'raw-stdin', bytes: localBytes } } as const;
    measureLocalPair(context, sink, scenario, 'local-pipe', baseline, { kind: 'procwire-stdin', bytes: localBytes });
  }
  for (const transport of context.remoteTransports()) {
    const target = context.target(transport);
    if (typeof target === 'string') {
      sink.skip({ scenario, subject: `procwire ${transport}`, role: 'procwire', transport }, target);
      continue;
    }
    const job = { kind: 'procwire-stdin', bytes: networkBytes, endpoint: target.endpoint! } as const;
    measureBulk(context, sink, { scenario, subject: target.subject, role: 'procwire', transport }, job);
  }
  if (transports.has('openssh')) {
    const subject = { scenario, subject: 'OpenSSH ssh', role: 'baseline', transport: 'openssh' } as const;
    const ssh = context.ssh;
    if (typeof ssh === 'string') sink.skip(subject, ssh);
    else measureBulk(context, sink, subject, { kind: 'ssh-stdin', bytes: networkBytes, sshArgs: ssh.baseArgs() });
  }
}
