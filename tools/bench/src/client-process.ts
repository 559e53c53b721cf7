/**
 * The parent side of `client-child.ts`: a process of its own for the client side of one transport
 * family (local, gRPC or WebSocket, where its raw baseline and procwire are measured side by side;
 * or OpenSSH, whose client is `ssh` driven over pipes).
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { stopChild } from './child-stop.js';
import type { EchoPlan, EchoSamples } from './echo-probe.js';

/** The client families: each child loads only the libraries its family's user would (OpenSSH: none). */
export type ClientFamily = 'local' | 'grpc' | 'ws' | 'openssh';

/** Where a network job connects: the server child's address (gRPC) or URL (WebSocket), and TLS. */
export interface Endpoint {
  readonly address?: string;
  readonly url?: string;
  /** The self-signed certificate to trust, for the TLS variants. */
  readonly caPem?: string;
}

/** What a client child can run: bulk jobs (`bytes`), echo jobs (`plan`) and exec round trips (`count`). */
export type ClientJob =
  | { readonly kind: 'raw-stdout' | 'procwire-stdout' | 'raw-stdin' | 'procwire-stdin'; readonly bytes: number; readonly endpoint?: Endpoint }
  | { readonly kind: 'raw-pty' | 'procwire-pty'; readonly bytes: number }
  | { readonly kind: 'raw-echo' | 'procwire-echo'; readonly plan: EchoPlan; readonly endpoint?: Endpoint }
  | { readonly kind: 'ssh-stdout' | 'ssh-stdin'; readonly bytes: number; readonly sshArgs: readonly string[] }
  | { readonly kind: 'ssh-echo'; readonly plan: EchoPlan; readonly sshArgs: readonly string[] }
  | { readonly kind: 'raw-exec' | 'procwire-exec'; readonly count: number; readonly warmup: number; readonly endpoint?: Endpoint }
  | { readonly kind: 'ssh-exec'; readonly count: number; readonly warmup: number; readonly sshArgs: readonly string[] };

/** Parent -> child. */
export type ClientRequest = { type: 'run'; id: number; job: ClientJob } | { type: 'close' };

/** Exec round trips in ms: `count` after 10 untimed ones, then `count` more after `warmup` more. */
export interface RoundTripSamples {
  readonly cold: number[];
  /** The steady state; the cold samples again for a job with `warmup` 0 (ssh: a new process each time). */
  readonly warm: number[];
}

/**
 * What a job gave: bulk jobs `received` and `ms` (timed in the child, without IPC); echo jobs
 * `echo`; exec jobs `roundTrips`.
 */
export interface ClientResult {
  readonly received?: number;
  readonly ms?: number;
  readonly echo?: EchoSamples;
  readonly roundTrips?: RoundTripSamples;
}

/** Child -> parent. */
export type ClientResponse =
  | { type: 'ready' }
  | { type: 'result'; id: number; result: ClientResult }
  | { type: 'failed'; id: number; message: string };

/** One client child, started once per bench run and family. */
export class ClientProcess {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (result: ClientResult) => void; reject: (error: Error) => void }>();

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (message: ClientResponse) => {
      if (message.type === 'ready') return;
      const waiter = this.pending.get(message.id);
      if (waiter === undefined) return;
      this.pending.delete(message.id);
      if (message.type === 'result') waiter.resolve(message.result);
      else waiter.reject(new Error(message.message));
    });
    child.once('exit', (code, signal) => {
      const error = new Error(`the bench's client process exited (${signal ?? code}) during a run`);
      for (const waiter of this.pending.values()) waiter.reject(error);
      this.pending.clear();
    });
  }

  /**
   * Start the child for `family` (with `--expose-gc`, as every bench process runs; it inherits the
   * environment, so the bench's certificate is trusted there too) and wait until it is ready.
   */
  static async start(family: ClientFamily): Promise<ClientProcess> {
    const script = fileURLToPath(new URL('./client-child.js', import.meta.url));
    const child = fork(script, [family], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: ['--expose-gc'] });
    await new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('exit', (code) => reject(new Error(`the ${family} client process exited with ${code} before it was ready`)));
    });
    return new ClientProcess(child);
  }

  /** Run `job` in the child. */
  run(job: ClientJob): Promise<ClientResult> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.send({ type: 'run', id, job } satisfies ClientRequest);
    });
  }

  /** Close the child's clients and wait for it to exit (SIGKILL after 5 s). */
  stop(): Promise<void> {
    return stopChild(this.child);
  }
}
