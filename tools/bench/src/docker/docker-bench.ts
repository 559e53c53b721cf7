/**
 * `node tools/bench/dist/docker/docker-bench.js`: procwire's `dockerTransport()` side by side with
 * the `docker exec` CLI, in the same run, against the same container:
 *   - exec + wait of `true` (median of N), target: procwire at most 0.7x docker exec's time;
 *   - 256 MiB of stdout (`head -c 268435456 /dev/zero`, median MiB/s of R), target: at least 1.0x.
 * The engine is DOCKER_HOST's (tools/scripts/ensure-docker.sh DIR prints a private one); the
 * container is made from --image (default procwire-test-busybox, which that script imports) and
 * removed at the end. Prints a Markdown table.
 *   --image NAME  --exec-runs N (default 40)  --stdout-runs N (default 3)  --stdout-bytes N
 */
import { spawn } from 'node:child_process';
import { createClient } from '@procwire/core';
import { dockerTransport } from '@procwire/docker';
import Docker from 'dockerode';
import { elapsedMs, median, mibPerSecond } from '../stats.js';

interface BenchArgs {
  readonly image: string;
  readonly execRuns: number;
  readonly stdoutRuns: number;
  readonly stdoutBytes: number;
}

function parseArgs(argv: readonly string[]): BenchArgs {
  const value = (flag: string): string | undefined => {
    const index = argv.indexOf(flag);
    return index === -1 ? undefined : argv[index + 1];
  };
  const count = (flag: string, fallback: number): number => {
    const text = value(flag);
    const number = text === undefined ? fallback : Number(text);
    if (!Number.isSafeInteger(number) || number < 1) throw new Error(`${flag} must be a positive integer, got ${text}`);
    return number;
  };
  return {
    image: value('--image') ?? 'procwire-test-busybox',
    execRuns: count('--exec-runs', 40),
    stdoutRuns: count('--stdout-runs', 3),
    stdoutBytes: count('--stdout-bytes', 268_435_456),
  };
}

/** Runs the docker CLI; resolves with the bytes it wrote on stdout (read here, as procwire's are). */
function dockerCli(args: readonly string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn('docker', args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let bytes = 0;
    child.stdout.on('data', (chunk: Buffer) => {
      bytes += chunk.byteLength;
    });
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve(bytes) : reject(new Error(`docker ${args.join(' ')} exited ${code}`))));
  });
}

function row(cells: readonly string[]): string {
  return `| ${cells.join(' | ')} |`;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const docker = new Docker();
  const name = `procwire-bench-${process.pid}`;
  const container = await docker.createContainer({
    name,
    Image: args.image,
    Cmd: ['sleep', '2147483647'],
    HostConfig: { NetworkMode: 'none', Init: true },
  });
  await container.start();
  const client = createClient(dockerTransport({ container: name, docker }));
  try {
    // Warm both paths (connections, caches) before timing.
    for (let i = 0; i < 3; i++) {
      await (await client.exec(['true'])).wait();
      await dockerCli(['exec', name, 'true']);
    }
    const procwireExec: number[] = [];
    const cliExec: number[] = [];
    // Interleaved, so a change in the machine's load hits both alike.
    for (let i = 0; i < args.execRuns; i++) {
      let start = process.hrtime.bigint();
      await (await client.exec(['true'])).wait();
      procwireExec.push(elapsedMs(start));
      start = process.hrtime.bigint();
      await dockerCli(['exec', name, 'true']);
      cliExec.push(elapsedMs(start));
    }
    const procwireRate: number[] = [];
    const cliRate: number[] = [];
    const command = ['head', '-c', String(args.stdoutBytes), '/dev/zero'];
    for (let i = 0; i < args.stdoutRuns; i++) {
      let start = process.hrtime.bigint();
      const p = await client.exec(command, { text: false });
      let bytes = 0;
      for await (const chunk of p.stdout) bytes += chunk.byteLength;
      await p.wait();
      if (bytes !== args.stdoutBytes) throw new Error(`procwire read ${bytes} bytes, expected ${args.stdoutBytes}`);
      procwireRate.push(mibPerSecond(bytes, elapsedMs(start)));
      start = process.hrtime.bigint();
      const cliBytes = await dockerCli(['exec', name, ...command]);
      if (cliBytes !== args.stdoutBytes) throw new Error(`docker exec wrote ${cliBytes} bytes, expected ${args.stdoutBytes}`);
      cliRate.push(mibPerSecond(cliBytes, elapsedMs(start)));
    }
    const execRatio = median(procwireExec) / median(cliExec);
    const rateRatio = median(procwireRate) / median(cliRate);
    const mib = (args.stdoutBytes / 1024 / 1024).toFixed(0);
    console.log(row(['measure', 'procwire dockerTransport', '`docker exec` CLI', 'ratio', 'target', 'met']));
    console.log(row(['---', '---', '---', '---', '---', '---']));
    console.log(
      row([
        `exec + wait of \`true\`, median of ${args.execRuns}`,
        `${median(procwireExec).toFixed(1)} ms`,
        `${median(cliExec).toFixed(1)} ms`,
        `${execRatio.toFixed(2)}x`,
        '<= 0.7x',
        execRatio <= 0.7 ? 'yes' : 'no',
      ]),
    );
    console.log(
      row([
        `${mib} MiB of stdout, median of ${args.stdoutRuns}`,
        `${median(procwireRate).toFixed(0)} MiB/s`,
        `${median(cliRate).toFixed(0)} MiB/s`,
        `${rateRatio.toFixed(2)}x`,
        '>= 1.0x',
        rateRatio >= 1 ? 'yes' : 'no',
      ]),
    );
  } finally {
    await client.close();
    await container.remove({ force: true });
  }
}

await main();
