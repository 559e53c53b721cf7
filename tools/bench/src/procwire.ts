/**
 * Loads the procwire packages at run time, by the names and shapes DESIGN.md fixes, so the bench
 * builds and runs its baselines even while an adapter is still being written; a missing entry point
 * turns its rows into "skipped" with the reason.
 */
import type { Client, ClientOptions, Transport } from '@procwire/core';

/** `serveGrpc` / `serveWebSocket` handles, as DESIGN.md describes them. */
export interface ServerHandle {
  readonly port: number;
  readonly address?: string;
  readonly url?: string;
  close(): Promise<void>;
}

/** TLS material for a server (PEM strings). */
export interface ServerTls {
  readonly cert: string;
  readonly key: string;
}

/** The procwire entry points the bench drives. */
export interface ProcwireEntryPoints {
  readonly createClient?: (transport: Transport, options?: ClientOptions) => Client;
  readonly localTransport?: (options?: Record<string, unknown>) => Transport;
  readonly grpcTransport?: (options: Record<string, unknown>) => Transport;
  readonly serveGrpc?: (transport: Transport, options: Record<string, unknown>) => Promise<ServerHandle>;
  readonly websocketTransport?: (options: Record<string, unknown>) => Transport;
  readonly serveWebSocket?: (transport: Transport, options: Record<string, unknown>) => Promise<ServerHandle>;
  /** Why an entry point is missing, by entry point name. */
  readonly missing: Readonly<Record<string, string>>;
}

async function importOptional(specifier: string): Promise<Record<string, unknown> | string> {
  try {
    // A variable specifier keeps TypeScript from resolving the module's current (maybe empty) types.
    const name: string = specifier;
    return (await import(name)) as Record<string, unknown>;
  } catch (error) {
    return `cannot import ${specifier}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;
  }
}

/** Import every procwire package the bench uses and pick out the entry points that exist. */
export async function loadProcwire(): Promise<ProcwireEntryPoints> {
  const missing: Record<string, string> = {};
  const entries: Record<string, unknown> = {};
  const wanted: ReadonlyArray<readonly [string, readonly string[]]> = [
    ['createClient', ['@procwire/core']],
    ['localTransport', ['@procwire/local-pty']],
    ['grpcTransport', ['@procwire/grpc', '@procwire/grpc/client']],
    ['serveGrpc', ['@procwire/grpc', '@procwire/grpc/server']],
    ['websocketTransport', ['@procwire/websocket', '@procwire/websocket/client']],
    ['serveWebSocket', ['@procwire/websocket', '@procwire/websocket/server']],
  ];
  for (const [entry, specifiers] of wanted) {
    const reasons: string[] = [];
    for (const specifier of specifiers) {
      const module = await importOptional(specifier);
      if (typeof module === 'string') {
        reasons.push(module);
      } else if (typeof module[entry] === 'function') {
        entries[entry] = module[entry];
        break;
      } else {
        reasons.push(`${specifier} does not export ${entry} yet`);
      }
    }
    if (entries[entry] === undefined) missing[entry] = reasons.join('; ');
  }
  return { ...(entries as Omit<ProcwireEntryPoints, 'missing'>), missing };
}

/** The principal's token the procwire servers accept (a loopback benchmark, not a secret). */
export const benchToken = 'bench-token';

/** Host options for the scenarios: room for the concurrency scenario's processes. */
export function hostOptions(): Record<string, unknown> {
  return { maxProcesses: 5000 };
}

/**
 * Host options of the servers the bench starts: as procwire-server runs its host, pipe-mode
 * processes are spawned by local-pty's spawn helper (`--spawn-helper`, on by default).
 */
export function serverHostOptions(): Record<string, unknown> {
  return { ...hostOptions(), spawnHelper: true };
}
