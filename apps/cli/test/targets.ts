// The hosts the CLI is tested against: this host (no URL), and real gRPC and WebSocket servers on
// 127.0.0.1 serving the local host, each with two tokens (two principals).
import type { Transport } from '@procwire/core';

/** One place the CLI can run processes, with the flags that select it. */
export interface Target {
  readonly name: 'local' | 'grpc' | 'websocket';
  /** `--url URL` (empty for local). */
  readonly urlArgs: readonly string[];
  /** The URL, for error messages; empty for local. */
  readonly url: string;
  /** Why the target cannot run here, if it cannot (its package is not built). */
  readonly missing?: string;
  close(): Promise<void>;
}

/** Tokens every test server accepts: each names a principal. */
export const tokens = { 'alice-token-0123456789': 'alice', 'bob-token-9876543210': 'bob' } as const;
export const aliceToken = 'alice-token-0123456789';
export const bobToken = 'bob-token-9876543210';

interface LocalModule {
  localTransport(): Transport;
}
interface GrpcServerModule {
  serveGrpc(
    transport: Transport,
    options: { host: string; port: number; tokens: Record<string, string> },
  ): Promise<{ address: string; port: number; close(): Promise<void> }>;
}
interface WebSocketServerModule {
  serveWebSocket(
    transport: Transport,
    options: { host: string; port: number; path: string; tokens: Record<string, string> },
  ): Promise<{ url: string; port: number; close(): Promise<void> }>;
}

async function localTransport(): Promise<Transport> {
  const module = (await import('@procwire/local-pty')) as unknown as LocalModule;
  return module.localTransport();
}

/** This host: no URL. */
export function localTarget(): Target {
  return { name: 'local', urlArgs: [], url: '', close: async () => undefined };
}

/** A gRPC server on 127.0.0.1 serving the local host. */
export async function grpcTarget(): Promise<Target> {
  const module = (await import('@procwire/grpc/server')) as unknown as Partial<GrpcServerModule>;
  if (typeof module.serveGrpc !== 'function') return missing('grpc', '@procwire/grpc/server has no serveGrpc yet');
  const host = await localTransport();
  const server = await module.serveGrpc(host, { host: '127.0.0.1', port: 0, tokens: { ...tokens } });
  const url = `grpc://127.0.0.1:${server.port}`;
  return {
    name: 'grpc',
    urlArgs: ['--url', url],
    url,
    close: async () => {
      await server.close();
      await host.close();
    },
  };
}

/** A WebSocket server on 127.0.0.1 serving the local host. */
export async function websocketTarget(): Promise<Target> {
  const module = (await import('@procwire/websocket/server')) as unknown as Partial<WebSocketServerModule>;
  if (typeof module.serveWebSocket !== 'function') {
    return missing('websocket', '@procwire/websocket/server has no serveWebSocket yet');
  }
  const host = await localTransport();
  const server = await module.serveWebSocket(host, { host: '127.0.0.1', port: 0, path: '/procwire', tokens: { ...tokens } });
  return {
    name: 'websocket',
    urlArgs: ['--url', server.url],
    url: server.url,
    close: async () => {
      await server.close();
      await host.close();
    },
  };
}

function missing(name: Target['name'], reason: string): Target {
  return { name, urlArgs: [], url: '', missing: reason, close: async () => undefined };
}
