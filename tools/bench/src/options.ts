/** Command-line options of `pnpm bench`. */
import { serverNodeFlags } from 'procwire-server/node-flags';

/** Every scenario, in run order. */
export const ScenarioName = {
  StdoutThroughput: 'stdout-throughput',
  PtyThroughput: 'pty-throughput',
  StdinThroughput: 'stdin-throughput',
  ExecRoundTrip: 'exec-round-trip',
  EchoLatency: 'echo-latency',
  Concurrent: 'concurrent',
  SlowConsumer: 'slow-consumer',
  UserPath: 'user-path',
} as const;
export type ScenarioName = (typeof ScenarioName)[keyof typeof ScenarioName];

/** Every transport family a row can belong to; baselines belong to the family they are compared with. */
export const TransportName = {
  LocalPipe: 'local-pipe',
  LocalPty: 'local-pty',
  Grpc: 'grpc',
  GrpcTls: 'grpc-tls',
  WebSocket: 'ws',
  WebSocketTls: 'wss',
  OpenSsh: 'openssh',
} as const;
export type TransportName = (typeof TransportName)[keyof typeof TransportName];

/** What one `pnpm bench` run does. */
export interface BenchOptions {
  readonly scenarios: ReadonlySet<ScenarioName>;
  readonly transports: ReadonlySet<TransportName>;
  /** Runs per subject for the bulk scenarios (throughput, concurrent, slow consumer); the median is reported. */
  readonly runs: number;
  /** Bytes moved by each throughput run (stdout and stdin). */
  readonly bytes: number;
  /** Bytes moved by each throughput run of the network rows (gRPC, WebSocket, OpenSSH and their raw baselines). */
  readonly networkBytes: number;
  /** Bytes moved by each pty throughput run. */
  readonly ptyBytes: number;
  /** Samples per latency run (exec round trip, echo). */
  readonly samples: number;
  /** Echo round trips between the cold samples and the steady-state ones (see echo-probe.ts). */
  readonly echoWarmup: number;
  /** Exec round trips between the cold samples and the steady-state ones (a client's JIT warming up). */
  readonly execWarmup: number;
  /** Concurrent processes in the concurrency scenario. */
  readonly concurrency: number;
  /** Seconds the slow consumer reads. */
  readonly slowSeconds: number;
  /**
   * Node flags of the server processes, the raw baselines' and procwire's alike. Default: the ones
   * procwire-server runs with (apps/server/src/node-flags.ts).
   */
  readonly serverNodeFlags: readonly string[];
  /** Directory for latest.md and latest.json. */
  readonly outDir: string;
}

const usage = `pnpm bench [options]
  --quick                 small sizes, one run each (a smoke run, figures not for quoting)
  --runs N                runs per subject (default 3); latency rows give medians over them
  --bytes N               bytes per throughput run (default 1073741824)
  --network-bytes N       bytes per throughput run over gRPC, WebSocket and OpenSSH (default: --bytes)
  --pty-bytes N           bytes per pty throughput run (default 268435456)
  --samples N             samples per latency run (default 1000)
  --echo-warmup N         echo round trips before the steady-state echo samples (default 5000)
  --exec-warmup N         exec round trips before the steady-state exec samples (default 500)
  --concurrency N         processes in the concurrency scenario (default 500)
  --slow-seconds N        seconds the slow consumer reads (default 10)
  --scenarios a,b         any of: ${Object.values(ScenarioName).join(', ')}
  --transports a,b        any of: ${Object.values(TransportName).join(', ')}
  --server-node-flags S   Node flags of the server processes, space-separated; '' for none
                          (default: procwire-server's, ${serverNodeFlags.join(' ')})
  --out DIR               where latest.md and latest.json go (default tools/bench/results)`;

/** Parse argv (without node and the script); throws with the usage text on a bad option. */
export function parseOptions(argv: readonly string[], defaultOutDir: string): BenchOptions {
  const quick = argv.includes('--quick');
  let scenarios = new Set<ScenarioName>(Object.values(ScenarioName));
  let transports = new Set<TransportName>(Object.values(TransportName));
  let runs = quick ? 1 : 3;
  let bytes = quick ? 64 * 1024 * 1024 : 1024 * 1024 * 1024;
  let networkBytes: number | undefined;
  let ptyBytes = quick ? 16 * 1024 * 1024 : 256 * 1024 * 1024;
  let samples = quick ? 200 : 1000;
  let echoWarmup = quick ? 500 : 5000;
  let execWarmup = quick ? 100 : 500;
  let concurrency = quick ? 100 : 500;
  let slowSeconds = quick ? 3 : 10;
  let serverFlags = serverNodeFlags;
  let outDir = defaultOutDir;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    if (flag === '--quick') continue;
    if (flag === '--help' || flag === '-h') throw new Error(usage);
    const value = argv[++i];
    if (value === undefined) throw new Error(`${flag} needs a value\n${usage}`);
    switch (flag) {
      case '--runs':
        runs = positiveInteger(flag, value);
        break;
      case '--bytes':
        bytes = positiveInteger(flag, value);
        break;
      case '--network-bytes':
        networkBytes = positiveInteger(flag, value);
        break;
      case '--pty-bytes':
        ptyBytes = positiveInteger(flag, value);
        break;
      case '--samples':
        samples = positiveInteger(flag, value);
        break;
      case '--echo-warmup':
        echoWarmup = positiveInteger(flag, value);
        break;
      case '--exec-warmup':
        execWarmup = positiveInteger(flag, value);
        break;
      case '--concurrency':
        concurrency = positiveInteger(flag, value);
        break;
      case '--slow-seconds':
        slowSeconds = positiveInteger(flag, value);
        break;
      case '--scenarios':
        scenarios = new Set(listOf(flag, value, Object.values(ScenarioName)));
        break;
      case '--transports':
        transports = new Set(listOf(flag, value, Object.values(TransportName)));
        break;
      case '--server-node-flags':
        serverFlags = parseNodeFlags(value);
        break;
      case '--out':
        outDir = value;
        break;
      default:
        throw new Error(`unknown option ${flag}\n${usage}`);
    }
  }
  return {
    scenarios,
    transports,
    runs,
    bytes,
    networkBytes: networkBytes ?? bytes,
    ptyBytes,
    samples,
    echoWarmup,
    execWarmup,
    concurrency,
    slowSeconds,
    serverNodeFlags: serverFlags,
    outDir,
  };
}

/** A `--server-node-flags` value: space-separated Node flags, '' for none. */
export function parseNodeFlags(value: string): string[] {
  const flags = value.split(' ').filter((item) => item !== '');
  if (flags.some((item) => !item.startsWith('--'))) {
    throw new Error(`--server-node-flags takes Node flags (each starting with --), got ${JSON.stringify(value)}`);
  }
  return flags;
}

function positiveInteger(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`${flag} must be a positive integer, got ${JSON.stringify(value)}`);
  return n;
}

function listOf<T extends string>(flag: string, value: string, allowed: readonly T[]): T[] {
  const items = value.split(',').filter((item) => item !== '');
  for (const item of items) {
    if (!(allowed as readonly string[]).includes(item)) {
      throw new Error(`${flag}: unknown ${JSON.stringify(item)}; choose from ${allowed.join(', ')}`);
    }
  }
  return items as T[];
}
