/** Start, measure and kill the server child (`server-child.ts`). */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Memory of the server after a garbage collection, in bytes. */
export interface ServerMemory {
  readonly rss: number;
  readonly heapUsed: number;
}

/** A procwire server (gRPC + WebSocket over `localTransport()`) in a child process. */
export class ServerProcess {
  private constructor(
    private readonly child: ChildProcess,
    readonly grpcPort: number,
    readonly wsPort: number,
  ) {}

  /** Start a server; `ports` pins the ports (to restart "the same" server). */
  static async start(options: { grpcPort?: number; wsPort?: number; maxProcesses?: number; retentionMs?: number } = {}): Promise<ServerProcess> {
    const script = fileURLToPath(new URL('./server-child.js', import.meta.url));
    const args = [options.grpcPort ?? 0, options.wsPort ?? 0, options.maxProcesses ?? 2000, options.retentionMs ?? 2000].map(String);
    const child = fork(script, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: ['--expose-gc'] });
    const ready = await new Promise<{ grpcPort: number; wsPort: number }>((resolve, reject) => {
      child.on('message', (message: { type: string; grpcPort: number; wsPort: number; message?: string }) => {
        if (message.type === 'ready') resolve(message);
        if (message.type === 'failed') reject(new Error(`server child failed: ${message.message}`));
      });
      child.once('exit', (code, signal) => reject(new Error(`server child exited (${code ?? signal}) before it was ready`)));
    });
    return new ServerProcess(child, ready.grpcPort, ready.wsPort);
  }

  get grpcAddress(): string {
    return `127.0.0.1:${this.grpcPort}`;
  }

  get wsUrl(): string {
    return `ws://127.0.0.1:${this.wsPort}/procwire`;
  }

  /** The server's memory after a full garbage collection. */
  memory(): Promise<ServerMemory> {
    return new Promise((resolve) => {
      const onMessage = (message: { type: string; rss: number; heapUsed: number }) => {
        if (message.type !== 'memory') return;
        this.child.off('message', onMessage);
        resolve({ rss: message.rss, heapUsed: message.heapUsed });
      };
      this.child.on('message', onMessage);
      this.child.send({ type: 'memory' });
    });
  }

  /** Kill the server like a crash (SIGKILL) and wait until it is gone. */
  async crash(): Promise<void> {
    await this.stopWith(() => this.child.kill('SIGKILL'));
  }

  /** Stop the server cleanly (it closes its listeners and kills its processes). */
  async stop(): Promise<void> {
    await this.stopWith(() => {
      this.child.disconnect();
      setTimeout(() => this.child.kill('SIGKILL'), 5000).unref();
    });
  }

  private async stopWith(stop: () => void): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    stop();
    await exited;
  }
}
