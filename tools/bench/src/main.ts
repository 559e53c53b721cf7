/**
 * `pnpm bench`: every scenario for every transport and its baselines, in one process run, written
 * to tools/bench/results/latest.{md,json}. See `--help` for options.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { evaluateChecks } from './checks.js';
import { BenchContext } from './context.js';
import { type BenchOptions, parseOptions, type ScenarioName } from './options.js';
import { describeRun, writeResults } from './report.js';
import { reasonOf, RowSink } from './row.js';
import { execRoundTrip, echoLatency } from './scenarios/latency.js';
import { concurrent, slowConsumer } from './scenarios/load.js';
import { ptyThroughput, stdinThroughput, stdoutThroughput } from './scenarios/throughput.js';
import { userPath } from './scenarios/user-path.js';
import type { TlsFiles } from './server-process.js';
import { makeSelfSignedCertificate } from './tls.js';

const scenarios: Record<ScenarioName, (context: BenchContext, sink: RowSink) => Promise<void>> = {
  'stdout-throughput': stdoutThroughput,
  'pty-throughput': ptyThroughput,
  'stdin-throughput': stdinThroughput,
  'exec-round-trip': execRoundTrip,
  'echo-latency': echoLatency,
  concurrent,
  'slow-consumer': slowConsumer,
  'user-path': userPath,
};

/** Set in the re-run (with --expose-gc, trusting the certificate): the temp dir holding it. */
const tempDirVariable = 'PROCWIRE_BENCH_TEMP_DIR';

async function main(): Promise<void> {
  const defaultOutDir = fileURLToPath(new URL('../results', import.meta.url));
  let options: BenchOptions;
  try {
    options = parseOptions(process.argv.slice(2), defaultOutDir);
  } catch (error) {
    const help = process.argv.includes('--help') || process.argv.includes('-h');
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = help ? 0 : 2;
    return;
  }
  const startedAt = new Date();
  const loadBefore = loadavg()[0]!;
  const log = (line: string) => console.log(line);
  const tempDir = process.env[tempDirVariable] ?? mkdtempSync(join(tmpdir(), 'procwire-bench-'));
  let tls: TlsFiles | string;
  try {
    tls = makeSelfSignedCertificate(tempDir);
  } catch (error) {
    tls = `no TLS certificate (openssl failed: ${reasonOf(error)})`;
  }
  if (process.env[tempDirVariable] === undefined) {
    // Run again, once, as the bench must run: with --expose-gc (see memory.ts), and, since
    // websocketTransport has no option for a private CA, trusting the bench's self-signed
    // certificate from startup (NODE_EXTRA_CA_CERTS).
    const extraCa = typeof tls === 'string' ? {} : { NODE_EXTRA_CA_CERTS: tls.certPath };
    const rerun = spawnSync(process.execPath, ['--expose-gc', ...process.argv.slice(1)], {
      stdio: 'inherit',
      env: { ...process.env, ...extraCa, [tempDirVariable]: tempDir },
    });
    rmSync(tempDir, { recursive: true, force: true });
    process.exitCode = rerun.status ?? 1;
    return;
  }
  log(`procwire bench: scenarios ${[...options.scenarios].join(', ')}; transports ${[...options.transports].join(', ')}`);
  const context = await BenchContext.open(options, tempDir, tls, log);
  for (const [name, target] of context.targets) if (typeof target === 'string') log(`  ${name}: unavailable (${target})`);
  for (const [name, raw] of context.rawServers) if (typeof raw === 'string') log(`  raw ${name}: unavailable (${raw})`);
  if (typeof context.ssh === 'string') log(`  openssh: ${context.ssh}`);
  const sink = new RowSink(log);
  try {
    for (const name of Object.keys(scenarios) as ScenarioName[]) {
      if (!options.scenarios.has(name)) continue;
      log(`scenario ${name}`);
      await scenarios[name](context, sink);
      await sink.runQueued();
    }
  } finally {
    await context.close();
    rmSync(tempDir, { recursive: true, force: true });
  }
  const checks = evaluateChecks(sink.rows);
  const command = ['pnpm bench', ...process.argv.slice(2)].join(' ');
  const cipher = typeof context.ssh === 'string' ? 'unknown' : context.ssh.cipher;
  const info = describeRun(command, startedAt, cipher, [loadBefore, loadavg()[0]!]);
  const paths = writeResults(options.outDir, info, options, sink.rows, checks);
  for (const check of checks) {
    log(`  ${check.met === undefined ? 'n/a ' : check.met ? 'MET ' : 'MISS'} ${check.what}: ${check.measured} (target ${check.target})`);
  }
  log(`wrote ${paths.join(' and ')}`);
}

await main();
