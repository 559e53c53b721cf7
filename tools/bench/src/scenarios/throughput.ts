/** Stdout throughput (bytes mode, `head -c N /dev/zero`), pty throughput, and stdin throughput (`cat >/dev/null`). */
import { rawGrpcStdoutBytes, rawWebSocketStdoutBytes } from '../baselines/raw-network.js';
import { sshStdin, sshStdoutBytes } from '../baselines/openssh-client.js';
import type { BenchContext } from '../context.js';
import type { LocalJob } from '../local-process.js';
import { procwireStdin, procwireStdoutBytes } from '../procwire-ops.js';
import type { Metrics, Row, RowSink } from '../row.js';
import { elapsedMs, mibPerSecond } from '../stats.js';

function metrics(bytes: number, received: number, ms: number): Metrics {
  return { 'MiB/s': mibPerSecond(received, ms), seconds: ms / 1000, lostBytes: bytes - received };
}

async function timed(bytes: number, run: () => Promise<number>): Promise<Metrics> {
  const start = process.hrtime.bigint();
  const received = await run();
  return metrics(bytes, received, elapsedMs(start));
}

/**
 * Queue a local row: `job` runs in the bench's local process (local-child.ts), which times it, so
 * raw and procwire are measured in a process that loads only what a local-pty user's program does.
 */
function measureLocally(
  context: BenchContext,
  sink: RowSink,
  base: Pick<Row, 'scenario' | 'subject' | 'role' | 'transport'>,
  job: LocalJob,
  bytes: number,
): void {
  const local = context.localProcess;
  if (typeof local === 'string') {
    sink.skip(base, local);
    return;
  }
  sink.measure(base, context.options.runs, async () => {
    const { received, ms } = await local.run(job, bytes);
    return metrics(bytes, received, ms);
  });
}

/** Stdout throughput for every selected subject. */
export async function stdoutThroughput(context: BenchContext, sink: RowSink): Promise<void> {
  const { runs, transports, networkBytes } = context.options;
  const localBytes = context.options.bytes;
  const scenario = 'stdout-throughput';
  if (transports.has('local-pipe')) {
    const transport = 'local-pipe';
    measureLocally(context, sink, { scenario, subject: 'raw child_process', role: 'baseline', transport }, 'raw-stdout', localBytes);
    const subject = { scenario, subject: 'procwire local pipe', role: 'procwire', transport } as const;
    const target = context.target(transport);
    if (typeof target === 'string') sink.skip(subject, target);
    else measureLocally(context, sink, subject, 'procwire-stdout', localBytes);
  }
  const argv = ['head', '-c', String(networkBytes), '/dev/zero'];
  for (const transport of context.remoteTransports()) {
    const raw = context.rawServers.get(transport)!;
    const caPem = transport === 'grpc-tls' || transport === 'wss' ? (context.tls as { certPem: string }).certPem : undefined;
    const grpc = transport === 'grpc' || transport === 'grpc-tls';
    if (typeof raw === 'string') {
      sink.skip({ scenario, subject: `raw ${transport}`, role: 'baseline', transport }, raw);
    } else {
      sink.measure({ scenario, subject: raw.subject, role: 'baseline', transport }, runs, () =>
        timed(networkBytes, () =>
          grpc ? rawGrpcStdoutBytes(raw.server.address, argv, caPem) : rawWebSocketStdoutBytes(raw.server.url!, argv, caPem),
        ),
      );
    }
    const target = context.target(transport);
    if (typeof target === 'string') {
      sink.skip({ scenario, subject: `procwire ${transport}`, role: 'procwire', transport }, target);
      continue;
    }
    sink.measure({ scenario, subject: target.subject, role: 'procwire', transport }, runs, () =>
      timed(networkBytes, async () => {
        const result = await procwireStdoutBytes(target.client, argv);
        if (result.code !== 0) throw new Error(`head exited with ${result.code}`);
        return result.bytes;
      }),
    );
  }
  if (transports.has('openssh')) {
    const subject = { scenario, subject: 'OpenSSH ssh', role: 'baseline', transport: 'openssh' } as const;
    const ssh = context.ssh;
    if (typeof ssh === 'string') sink.skip(subject, ssh);
    else sink.measure(subject, runs, () => timed(networkBytes, () => sshStdoutBytes(ssh, networkBytes)));
  }
}

/** Pty throughput: raw node-pty (bytes seen by `onExit`) against procwire's local pty (bytes before `wait()`). */
export async function ptyThroughput(context: BenchContext, sink: RowSink): Promise<void> {
  const { ptyBytes, transports } = context.options;
  if (!transports.has('local-pty')) return;
  const scenario = 'pty-throughput';
  const transport = 'local-pty';
  measureLocally(context, sink, { scenario, subject: 'raw node-pty', role: 'baseline', transport }, 'raw-pty', ptyBytes);
  const target = context.target(transport);
  const subject = { scenario, subject: 'procwire local pty', role: 'procwire', transport } as const;
  if (typeof target === 'string') sink.skip(subject, target);
  else measureLocally(context, sink, subject, 'procwire-pty', ptyBytes);
}

/** Stdin throughput into `cat >/dev/null`. */
export async function stdinThroughput(context: BenchContext, sink: RowSink): Promise<void> {
  const { runs, transports, networkBytes } = context.options;
  const localBytes = context.options.bytes;
  const scenario = 'stdin-throughput';
  if (transports.has('local-pipe')) {
    const transport = 'local-pipe';
    measureLocally(context, sink, { scenario, subject: 'raw child_process', role: 'baseline', transport }, 'raw-stdin', localBytes);
    const subject = { scenario, subject: 'procwire local pipe', role: 'procwire', transport } as const;
    const target = context.target(transport);
    if (typeof target === 'string') sink.skip(subject, target);
    else measureLocally(context, sink, subject, 'procwire-stdin', localBytes);
  }
  for (const transport of context.remoteTransports()) {
    const bytes = networkBytes;
    const target = context.target(transport);
    if (typeof target === 'string') {
      sink.skip({ scenario, subject: `procwire ${transport}`, role: 'procwire', transport }, target);
      continue;
    }
    sink.measure({ scenario, subject: target.subject, role: 'procwire', transport }, runs, () =>
      timed(bytes, async () => {
        const code = await procwireStdin(target.client, bytes);
        if (code !== 0) throw new Error(`cat exited with ${code}`);
        return bytes;
      }),
    );
  }
  if (transports.has('openssh')) {
    const subject = { scenario, subject: 'OpenSSH ssh', role: 'baseline', transport: 'openssh' } as const;
    const ssh = context.ssh;
    if (typeof ssh === 'string') sink.skip(subject, ssh);
    else
      sink.measure(subject, runs, () =>
        timed(networkBytes, async () => {
          await sshStdin(ssh, networkBytes);
          return networkBytes;
        }),
      );
  }
}
