/** The parent side of `local-child.ts`: the process the local throughput rows run in. */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** What the local child can measure: a raw baseline or procwire, for stdout, a pty, or stdin. */
export type LocalJob = 'raw-stdout' | 'procwire-stdout' | 'raw-pty' | 'procwire-pty' | 'raw-stdin' | 'procwire-stdin';

/** Parent -> child. */
export type LocalRequest = { type: 'run'; id: number; job: LocalJob; bytes: number } | { type: 'close' };

/** Child -> parent. `ms` is timed in the child, so the IPC round trip is not part of it. */
export type LocalResponse =
  | { type: 'ready' }
  | { type: 'result'; id: number; received: number; ms: number }
  | { type: 'failed'; id: number; message: string };

/** The local child, started once per bench run. */
export class LocalProcess {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (value: { received: number; ms: number }) => void; reject: (error: Error) => void }>();

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (message: LocalResponse) => {
      if (message.type === 'ready') return;
      const waiter = this.pending.get(message.id);
      if (waiter === undefined) return;
      this.pending.delete(message.id);
      if (message.type === 'result') waiter.resolve({ received: message.received, ms: message.ms });
      else waiter.reject(new Error(message.message));
    });
    child.once('exit', (code, signal) => {
      const error = new Error(`the local bench process exited (${signal ?? code}) during a run`);
      for (const waiter of this.pending.values()) waiter.reject(error);
      this.pending.clear();
    });
  }

  /** Start the child (with `--expose-gc`, as every bench process runs) and wait until it is ready. */
  static async start(): Promise<LocalProcess> {
    const script = fileURLToPath(new URL('./local-child.js', import.meta.url));
    const child = fork(script, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: ['--expose-gc'] });
    await new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('exit', (code) => reject(new Error(`the local bench process exited with ${code} before it was ready`)));
    });
    return new LocalProcess(child);
  }

  /** Run `job` over `bytes` in the child: the bytes it moved and the milliseconds it took there. */
  run(job: LocalJob, bytes: number): Promise<{ received: number; ms: number }> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.send({ type: 'run', id, job, bytes } satisfies LocalRequest);
    });
  }

  /** Close the child's client and wait for it to exit (SIGKILL after 5 s). */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.send({ type: 'close' } satisfies LocalRequest);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
}
