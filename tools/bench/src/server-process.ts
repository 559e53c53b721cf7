/** The parent side of `server-child.ts`: start a server in a child process, read its memory, stop it. */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { stopChild } from './child-stop.js';
import type { MemoryReading } from './memory.js';

/** Kinds of server the child can run. */
export type ServerKind = 'raw-grpc' | 'raw-ws' | 'procwire-grpc' | 'procwire-ws';

/** Paths of a PEM certificate and key, for the TLS variants. */
export interface TlsFiles {
  readonly certPath: string;
  readonly keyPath: string;
  /** The certificate itself (PEM), which clients trust as their CA. */
  readonly certPem: string;
}

/** A server running in a child process. */
export class ServerProcess {
  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
    readonly url: string | undefined,
    readonly address: string,
  ) {}

  /**
   * Start a server of this kind with `nodeFlags` (procwire-server's, for every kind: a baseline runs
   * on the same Node as procwire); rejects with the child's reason if it cannot start.
   */
  static async start(kind: ServerKind, nodeFlags: readonly string[], tls?: TlsFiles): Promise<ServerProcess> {
    const script = fileURLToPath(new URL('./server-child.js', import.meta.url));
    const args = tls ? [kind, '--tls', tls.certPath, tls.keyPath] : [kind];
    // --expose-gc: memory readings after a real gc, without exposing it at runtime (see memory.ts).
    const execArgv = ['--expose-gc', ...nodeFlags];
    const child = fork(script, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv });
    const ready = await new Promise<{ port: number; url?: string; address?: string }>((resolve, reject) => {
      child.on('message', (message: { type: string; port: number; url?: string; address?: string; message?: string }) => {
        if (message.type === 'ready') resolve(message);
        if (message.type === 'failed') reject(new Error(message.message));
      });
      child.once('exit', (code) => reject(new Error(`${kind} server exited with ${code} before it was ready`)));
    });
    return new ServerProcess(child, ready.port, ready.url, ready.address ?? `127.0.0.1:${ready.port}`);
  }

  /** The server's process id (to read its CPU time from /proc). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** The child's memory after a garbage collection. */
  memory(): Promise<MemoryReading> {
    return new Promise((resolve) => {
      const onMessage = (message: { type: string; memory: MemoryReading }) => {
        if (message.type !== 'memory') return;
        this.child.off('message', onMessage);
        resolve(message.memory);
      };
      this.child.on('message', onMessage);
      this.child.send({ type: 'memory' });
    });
  }

  /** Stop the server and wait for its process to exit (SIGKILL after 5 s). */
  stop(): Promise<void> {
    return stopChild(this.child);
  }
}
