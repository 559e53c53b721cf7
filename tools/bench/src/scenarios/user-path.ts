/**
 * The user's path: the `procwire` CLI binary against a procwire-server started with its defaults
 * (user-path-server.ts), next to OpenSSH through a ControlMaster, each run a whole process timed
 * from spawn to exit, alternating (RowSink's rounds). Rows: 1 GiB of stdout (`--network-bytes`)
 * over WebSocket and over gRPC, and `exec -- true`.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchContext } from '../context.js';
import type { TransportName } from '../options.js';
import type { RowSink } from '../row.js';
import { procwireBinary, UserPathServer } from '../user-path-server.js';

const scenario = 'user-path';
/** Runs of `exec -- true` per run of a bulk row: one is a few hundred ms, and it varies more. */
const execRunsPerBulkRun = 5;

/** Runs `argv` to its end with stdout and stdin on /dev/null; resolves with the wall time in seconds. */
function timeProcess(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'], env });
    let stderr = '';
    child.stderr?.on('data', (data: Buffer) => {
      stderr = (stderr + data.toString()).slice(-1000);
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const seconds = (performance.now() - started) / 1000;
      if (code === 0) resolve(seconds);
      else reject(new Error(`${argv.slice(0, 3).join(' ')} ... exited with ${code ?? signal}: ${stderr.trim()}`));
    });
  });
}

export async function userPath(context: BenchContext, sink: RowSink): Promise<void> {
  const { options } = context;
  const bytes = options.networkBytes;
  const head = ['head', '-c', String(bytes), '/dev/zero'];
  const dir = mkdtempSync(join(tmpdir(), 'procwire-user-path-'));
  let server: UserPathServer | string;
  try {
    server = await UserPathServer.start(dir);
  } catch (error) {
    server = `procwire-server could not start: ${error instanceof Error ? error.message : String(error)}`;
  }
  const cli = procwireBinary();
  const ssh = context.ssh;
  const rows: { label: string; command: readonly string[]; runs: number }[] = [
    { label: `${bytes === 1024 ** 3 ? '1 GiB' : `${bytes} B`} stdout`, command: head, runs: options.runs },
    { label: 'exec true', command: ['true'], runs: options.runs * execRunsPerBulkRun },
  ];
  const clients: { name: string; transport: TransportName; url?: (server: UserPathServer) => string }[] = [
    { name: 'procwire CLI websocket', transport: 'ws', url: (s) => s.websocketUrl },
    { name: 'procwire CLI grpc', transport: 'grpc', url: (s) => s.grpcUrl },
    { name: 'OpenSSH ssh (ControlMaster)', transport: 'openssh' },
  ];
  for (const row of rows) {
    for (const client of clients) {
      const base = { scenario, subject: `${row.label}: ${client.name}`, role: client.url ? 'procwire' : 'baseline', transport: client.transport } as const;
      if (!options.transports.has(client.transport)) continue;
      if (client.url === undefined) {
        if (typeof ssh === 'string') sink.skip(base, ssh);
        else sink.measure(base, row.runs, async () => ({ 'wall s': await timeProcess(['ssh', ...ssh.muxArgs(), ...row.command], process.env) }));
        continue;
      }
      if (typeof server === 'string') {
        sink.skip(base, server);
        continue;
      }
      const argv = [cli, 'exec', '--url', client.url(server), '--', ...row.command];
      const env = { ...process.env, PROCWIRE_TOKEN: server.token };
      sink.measure(base, row.runs, async () => ({ 'wall s': await timeProcess(argv, env) }));
    }
  }
  try {
    await sink.runQueued();
  } finally {
    if (typeof server !== 'string') await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
