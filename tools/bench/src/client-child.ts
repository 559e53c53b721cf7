/**
 * A client process of its own for one transport family (the first argument: `local`, `grpc`, `ws`
 * or `openssh`): the family's raw baseline and procwire's client, measured side by side in a
 * process that loads what that family's user loads (`@procwire/core` and `@procwire/local-pty` with
 * node-pty; or `@procwire/grpc` with grpc-js; or `@procwire/websocket` with ws) and nothing else.
 * OpenSSH's child loads nothing but the driver of the `ssh` process, so that no subject pays for
 * the bench process's heap. Started by `ClientProcess`; it runs the bulk throughput, exec round
 * trip and echo jobs.
 *
 * Why not in the bench process: that one loads every transport's libraries and holds every
 * client, and with that heap V8 ran several times more full collections while a client read bulk
 * output. procwire's local pipe read 4-7 full collections per GiB there against 0-1 in a process
 * that loads only local-pty, and the local scenarios alone measured it at 0.72-0.83x of raw in the
 * bench process against 0.89-1.00x in a process of its own (three runs each). Raw and procwire run
 * in the same child, so each ratio still compares two subjects of the same process and rounds.
 *
 * Talks to its parent over IPC (see `ClientRequest` and `ClientResponse` in client-process.ts).
 */
import type { Client } from '@procwire/core';
import type { ClientFamily, ClientJob, ClientRequest, ClientResponse, ClientResult, Endpoint, RoundTripSamples } from './client-process.js';
import { benchToken, hostOptions } from './procwire.js';
import { procwireEcho, procwireRoundTrip, procwireStdin, procwireStdoutBytes } from './procwire-ops.js';
import { elapsedMs } from './stats.js';

const family = process.argv[2] as ClientFamily;

/** procwire clients of this process, one per server (as the bench keeps one per transport). */
const clients = new Map<string, Client>();

/** The family's procwire client for `endpoint` (none for local), made at its first job. */
async function procwireClient(endpoint: Endpoint | undefined): Promise<Client> {
  const key = endpoint?.address ?? endpoint?.url ?? 'local';
  const made = clients.get(key);
  if (made !== undefined) return made;
  const { createClient } = await import('@procwire/core');
  let client: Client;
  if (family === 'local') {
    const { localTransport } = await import('@procwire/local-pty');
    client = createClient(localTransport(hostOptions()));
  } else {
    const tls = endpoint?.caPem === undefined ? {} : { tls: { ca: endpoint.caPem } };
    if (family === 'grpc') {
      const { grpcTransport } = await import('@procwire/grpc');
      client = createClient(grpcTransport({ address: endpoint?.address ?? '', token: benchToken, ...tls }));
    } else {
      const { websocketTransport } = await import('@procwire/websocket');
      client = createClient(websocketTransport({ url: endpoint?.url ?? '', token: benchToken, ...tls }));
    }
  }
  clients.set(key, client);
  return client;
}

const head = (bytes: number) => ['head', '-c', String(bytes), '/dev/zero'];

function checkExit(command: string, code: number | null): void {
  if (code !== 0) throw new Error(`${command} exited with ${code}`);
}

/**
 * A bulk job's run, made ready first (its module loaded, its client made), so that only the run
 * itself is timed; it resolves with the bytes moved (received for output, written for stdin).
 */
async function bulkRun(job: Extract<ClientJob, { bytes: number }>): Promise<() => Promise<number>> {
  const endpoint = 'endpoint' in job ? job.endpoint : undefined;
  const argv = head(job.bytes);
  switch (job.kind) {
    case 'raw-stdout': {
      if (family === 'local') {
        const { rawStdoutBytes } = await import('./baselines/raw-process.js');
        return async () => (await rawStdoutBytes('head', argv.slice(1))).bytes;
      }
      if (family === 'grpc') {
        const { rawGrpcStdoutBytes } = await import('./baselines/raw-grpc.js');
        return () => rawGrpcStdoutBytes(endpoint!.address!, argv, endpoint!.caPem);
      }
      const { rawWebSocketStdoutBytes } = await import('./baselines/raw-ws.js');
      return () => rawWebSocketStdoutBytes(endpoint!.url!, argv, endpoint!.caPem);
    }
    case 'procwire-stdout': {
      const client = await procwireClient(endpoint);
      return async () => {
        const result = await procwireStdoutBytes(client, argv);
        checkExit('head', result.code);
        return result.bytes;
      };
    }
    case 'raw-pty': {
      const { rawPtyBytes } = await import('./baselines/raw-pty.js');
      return async () => (await rawPtyBytes('head', argv.slice(1))).bytes;
    }
    case 'procwire-pty': {
      const client = await procwireClient(undefined);
      return async () => (await procwireStdoutBytes(client, argv, true)).bytes;
    }
    case 'raw-stdin': {
      if (family !== 'local') throw new Error(`no raw stdin baseline for ${family}`);
      const { rawStdinBytes } = await import('./baselines/raw-process.js');
      return async () => {
        checkExit('cat', await rawStdinBytes('sh', ['-c', 'cat >/dev/null'], job.bytes));
        return job.bytes;
      };
    }
    case 'procwire-stdin': {
      const client = await procwireClient(endpoint);
      return async () => {
        checkExit('cat', await procwireStdin(client, job.bytes));
        return job.bytes;
      };
    }
    case 'ssh-stdout': {
      const { sshStdoutBytes } = await import('./baselines/openssh-client.js');
      return () => sshStdoutBytes(job.sshArgs, job.bytes);
    }
    case 'ssh-stdin': {
      const { sshStdin } = await import('./baselines/openssh-client.js');
      return async () => {
        await sshStdin(job.sshArgs, job.bytes);
        return job.bytes;
      };
    }
  }
}

/** The latencies of an echo job. */
async function echo(job: Extract<ClientJob, { plan: unknown }>): Promise<ClientResult['echo']> {
  if (job.kind === 'ssh-echo') return (await import('./baselines/openssh-client.js')).sshEcho(job.sshArgs, job.plan);
  const { plan, endpoint } = job;
  if (job.kind === 'procwire-echo') return procwireEcho(await procwireClient(endpoint), plan);
  if (family === 'local') return (await import('./baselines/raw-pty.js')).rawPtyEcho(plan);
  if (family === 'grpc') return (await import('./baselines/raw-grpc.js')).rawGrpcEcho(endpoint!.address!, plan, endpoint!.caPem);
  return (await import('./baselines/raw-ws.js')).rawWebSocketEcho(endpoint!.url!, plan, endpoint!.caPem);
}

/**
 * `count` timed round trips of `once` after up to 10 untimed ones, then (unless `warmup` is 0)
 * `warmup` untimed ones and `count` timed ones more: a fresh client's first few hundred execs run
 * before its JIT has compiled the path.
 */
async function roundTrips(count: number, warmup: number, once: () => Promise<void>): Promise<RoundTripSamples> {
  const timed = async (): Promise<number[]> => {
    const samples: number[] = [];
    for (let i = 0; i < count; i++) {
      const start = process.hrtime.bigint();
      await once();
      samples.push(elapsedMs(start));
    }
    return samples;
  };
  for (let i = 0; i < Math.min(10, count); i++) await once();
  const cold = await timed();
  if (warmup === 0) return { cold, warm: cold };
  for (let i = 0; i < warmup; i++) await once();
  return { cold, warm: await timed() };
}

/** `true`, spawned and waited for: raw `spawn`, procwire's `exec` + `wait()`, or `ssh` through its master. */
async function execTrue(job: Extract<ClientJob, { count: number }>): Promise<RoundTripSamples> {
  const check = (code: number | null) => checkExit('true', code);
  if (job.kind === 'ssh-exec') {
    const { sshMuxTrue } = await import('./baselines/openssh-client.js');
    return roundTrips(job.count, job.warmup, () => sshMuxTrue(job.sshArgs));
  }
  if (job.kind === 'raw-exec') {
    const { rawRoundTrip } = await import('./baselines/raw-process.js');
    return roundTrips(job.count, job.warmup, async () => check(await rawRoundTrip('true', [])));
  }
  const client = await procwireClient(job.endpoint);
  return roundTrips(job.count, job.warmup, async () => check(await procwireRoundTrip(client)));
}

async function run(job: ClientJob): Promise<ClientResult> {
  if ('plan' in job) return { echo: await echo(job) };
  if ('count' in job) return { roundTrips: await execTrue(job) };
  const runOnce = await bulkRun(job);
  const start = process.hrtime.bigint();
  const received = await runOnce();
  return { received, ms: elapsedMs(start) };
}

function reply(message: ClientResponse): void {
  process.send?.(message);
}

if (process.send !== undefined) {
  process.on('message', (message: ClientRequest) => {
    if (message.type === 'close') {
      void Promise.allSettled([...clients.values()].map((client) => client.close())).finally(() => process.exit(0));
      return;
    }
    run(message.job).then(
      (result) => reply({ type: 'result', id: message.id, result }),
      (error: unknown) => reply({ type: 'failed', id: message.id, message: error instanceof Error ? error.message : String(error) }),
    );
  });
  process.on('disconnect', () => process.exit(0));
  reply({ type: 'ready' });
}
