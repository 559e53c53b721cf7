/**
 * The local throughput rows' process: raw `child_process` / node-pty and procwire's `localTransport`,
 * measured side by side in a process that loads what a local-pty user's program loads
 * (`@procwire/core`, `@procwire/local-pty`, node-pty) and nothing else. Started by `LocalProcess`.
 *
 * Why not in the bench process: that one also loads the gRPC and WebSocket clients (grpc-js,
 * protobuf, ws), and with that larger heap V8 ran several times more full collections while
 * procwire read a pipe (4-7 per GiB, against 0-1 in a process that loads only local-pty). The
 * local scenarios alone measured procwire's local pipe at 0.72-0.83x of raw in the bench process
 * and 0.89-1.00x here (three runs each). The raw rows run here too, so each ratio still compares
 * two subjects measured in the same process, in the same rounds.
 *
 * Talks to its parent over IPC: `{ type: 'run', id, job, bytes }` is answered with
 * `{ type: 'result', id, received, ms }` or `{ type: 'failed', id, message }`; `{ type: 'close' }` ends it.
 */
import type { Client } from '@procwire/core';
import { rawStdinBytes, rawStdoutBytes } from './baselines/raw-process.js';
import { rawPtyBytes } from './baselines/raw-pty.js';
import type { LocalJob, LocalRequest, LocalResponse } from './local-process.js';
import { hostOptions } from './procwire.js';
import { procwireStdin, procwireStdoutBytes } from './procwire-ops.js';
import { elapsedMs } from './stats.js';

let client: Client | undefined;

/** The local-pty client, made at the first procwire job (as a program would, with a plain import). */
async function localClient(): Promise<Client> {
  if (client !== undefined) return client;
  const [{ createClient }, { localTransport }] = await Promise.all([import('@procwire/core'), import('@procwire/local-pty')]);
  client = createClient(localTransport(hostOptions()));
  return client;
}

const headArgs = (bytes: number) => ['-c', String(bytes), '/dev/zero'];

function checkExit(command: string, code: number | null): void {
  if (code !== 0) throw new Error(`${command} exited with ${code}`);
}

/** Runs one job and returns the bytes it moved (received for output, written for stdin). */
async function run(job: LocalJob, bytes: number): Promise<number> {
  switch (job) {
    case 'raw-stdout':
      return (await rawStdoutBytes('head', headArgs(bytes))).bytes;
    case 'procwire-stdout': {
      const result = await procwireStdoutBytes(await localClient(), ['head', ...headArgs(bytes)]);
      checkExit('head', result.code);
      return result.bytes;
    }
    case 'raw-pty':
      return (await rawPtyBytes('head', headArgs(bytes))).bytes;
    case 'procwire-pty':
      return (await procwireStdoutBytes(await localClient(), ['head', ...headArgs(bytes)], true)).bytes;
    case 'raw-stdin':
      checkExit('cat', await rawStdinBytes('sh', ['-c', 'cat >/dev/null'], bytes));
      return bytes;
    case 'procwire-stdin':
      checkExit('cat', await procwireStdin(await localClient(), bytes));
      return bytes;
  }
}

function reply(message: LocalResponse): void {
  process.send?.(message);
}

if (process.send !== undefined) {
  process.on('message', (message: LocalRequest) => {
    if (message.type === 'close') {
      void (client?.close() ?? Promise.resolve()).finally(() => process.exit(0));
      return;
    }
    const start = process.hrtime.bigint();
    run(message.job, message.bytes).then(
      (received) => reply({ type: 'result', id: message.id, received, ms: elapsedMs(start) }),
      (error: unknown) => reply({ type: 'failed', id: message.id, message: error instanceof Error ? error.message : String(error) }),
    );
  });
  process.on('disconnect', () => process.exit(0));
  reply({ type: 'ready' });
}
