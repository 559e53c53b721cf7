/** Stdout throughput (bytes mode, `head -c N /dev/zero`), pty throughput, and stdin throughput (`cat >/dev/null`). */
import { rawGrpcStdoutBytes, rawWebSocketStdoutBytes } from '../baselines/raw-network.js';
import { rawStdinBytes, rawStdoutBytes } from '../baselines/raw-process.js';
import { rawPtyBytes } from '../baselines/raw-pty.js';
import { sshStdin, sshStdoutBytes } from '../baselines/openssh-client.js';
import type { BenchContext } from '../context.js';
import { procwireStdin, procwireStdoutBytes } from '../procwire-ops.js';
import type { Metrics, RowSink } from '../row.js';
import { elapsedMs, mibPerSecond } from '../stats.js';

async function timed(bytes: number, run: () => Promise<number>): Promise<Metrics> {
  const start = process.hrtime.bigint();
  const received = await run();
  const ms = elapsedMs(start);
  return { 'MiB/s': mibPerSecond(received, ms), seconds: ms / 1000, lostBytes: bytes - received };
}

/** Stdout throughput for every selected subject. */
export async function stdoutThroughput(context: BenchContext, sink: RowSink): Promise<void> {
  const { runs, transports } = context.options;
  const localBytes = context.options.bytes;
  const networkBytes = context.options.networkBytes;
  const argvOf = (bytes: number) => ['head', '-c', String(bytes), '/dev/zero'];
  const scenario = 'stdout-throughput';
  if (transports.has('local-pipe')) {
    sink.measure({ scenario, subject: 'raw child_process', role: 'baseline', transport: 'local-pipe' }, runs, () =>
      timed(localBytes, async () => (await rawStdoutBytes('head', argvOf(localBytes).slice(1))).bytes),
    );
  }
  for (const transport of ['local-pipe', ...context.remoteTransports()] as const) {
    const bytes = transport === 'local-pipe' ? localBytes : networkBytes;
    const argv = argvOf(bytes);
    if (transport !== 'local-pipe') {
      const raw = context.rawServers.get(transport)!;
      const caPem = transport === 'grpc-tls' || transport === 'wss' ? (context.tls as { certPem: string }).certPem : undefined;
      const grpc = transport === 'grpc' || transport === 'grpc-tls';
      if (typeof raw === 'string') {
        sink.skip({ scenario, subject: `raw ${transport}`, role: 'baseline', transport }, raw);
      } else {
        sink.measure({ scenario, subject: raw.subject, role: 'baseline', transport }, runs, () =>
          timed(bytes, () =>
            grpc
              ? rawGrpcStdoutBytes(raw.server.address, argv, caPem)
              : rawWebSocketStdoutBytes(raw.server.url!, argv, caPem),
          ),
        );
      }
    }
    if (!transports.has(transport)) continue;
    const target = context.target(transport);
    if (typeof target === 'string') {
      sink.skip({ scenario, subject: `procwire ${transport}`, role: 'procwire', transport }, target);
      continue;
    }
    sink.measure({ scenario, subject: target.subject, role: 'procwire', transport }, runs, () =>
      timed(bytes, async () => {
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
  const { ptyBytes, runs, transports } = context.options;
  if (!transports.has('local-pty')) return;
  const argv = ['head', '-c', String(ptyBytes), '/dev/zero'];
  const scenario = 'pty-throughput';
  sink.measure({ scenario, subject: 'raw node-pty', role: 'baseline', transport: 'local-pty' }, runs, () =>
    timed(ptyBytes, async () => (await rawPtyBytes(argv[0]!, argv.slice(1))).bytes),
  );
  const target = context.target('local-pty');
  if (typeof target === 'string') {
    sink.skip({ scenario, subject: 'procwire local pty', role: 'procwire', transport: 'local-pty' }, target);
    return;
  }
  sink.measure({ scenario, subject: target.subject, role: 'procwire', transport: 'local-pty' }, runs, () =>
    timed(ptyBytes, async () => (await procwireStdoutBytes(target.client, argv, true)).bytes),
  );
}

/** Stdin throughput into `cat >/dev/null`. */
export async function stdinThroughput(context: BenchContext, sink: RowSink): Promise<void> {
  const { runs, transports, networkBytes } = context.options;
  const localBytes = context.options.bytes;
  const scenario = 'stdin-throughput';
  if (transports.has('local-pipe')) {
    sink.measure({ scenario, subject: 'raw child_process', role: 'baseline', transport: 'local-pipe' }, runs, () =>
      timed(localBytes, async () => {
        const code = await rawStdinBytes('sh', ['-c', 'cat >/dev/null'], localBytes);
        if (code !== 0) throw new Error(`cat exited with ${code}`);
        return localBytes;
      }),
    );
  }
  for (const transport of ['local-pipe', ...context.remoteTransports()] as const) {
    if (!transports.has(transport)) continue;
    const bytes = transport === 'local-pipe' ? localBytes : networkBytes;
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
