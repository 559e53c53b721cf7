// The hosts the CLI is tested against: this host (no URL), and real gRPC and WebSocket servers on
// 127.0.0.1 serving the local host, each with two tokens (two principals).
import { type Client, createClient, type Transport } from '@procwire/core';
import { grpcTransport } from '@procwire/grpc/client';
import { serveGrpc } from '@procwire/grpc/server';
import { localTransport } from '@procwire/local-pty';
import { websocketTransport } from '@procwire/websocket/client';
import { serveWebSocket } from '@procwire/websocket/server';

/** Tokens every test server accepts: each names a principal. */
export const aliceToken = 'alice-token-0123456789';
export const bobToken = 'bob-token-9876543210';
const tokens = { [aliceToken]: 'alice', [bobToken]: 'bob' };

/** One place the CLI can run processes, with the flags that select it. */
export interface Target {
  readonly name: 'local' | 'grpc' | 'websocket';
  /** `--url URL` (empty for local). */
  readonly urlArgs: readonly string[];
  /** The URL as the CLI prints it; empty for local. */
  readonly url: string;
  /** A library client to the same host (remote targets), to start processes the CLI then finds. */
  client(token: string): Client;
  close(): Promise<void>;
}

/** This host: no URL. */
export function localTarget(): Target {
  return {
    name: 'local',
    urlArgs: [],
    url: '',
    client: () => createClient(localTransport()),
    close: async () => undefined,
  };
}

/** A gRPC server on 127.0.0.1 serving the local host; `port` puts something (a proxy) in front. */
export async function grpcTarget(front?: (port: number) => Promise<number>): Promise<Target> {
  const host = localTransport();
  const server = await serveGrpc(host, { host: '127.0.0.1', port: 0, tokens });
  const port = front === undefined ? server.port : await front(server.port);
  return remoteTarget('grpc', `grpc://127.0.0.1:${port}`, host, server, (token) =>
    grpcTransport({ address: `127.0.0.1:${port}`, token }),
  );
}

/** A WebSocket server on 127.0.0.1 serving the local host. */
export async function websocketTarget(front?: (port: number) => Promise<number>): Promise<Target> {
  const host = localTransport();
  const server = await serveWebSocket(host, { host: '127.0.0.1', port: 0, path: '/procwire', tokens });
  const port = front === undefined ? server.port : await front(server.port);
  const url = `ws://127.0.0.1:${port}/procwire`;
  return remoteTarget('websocket', url, host, server, (token) => websocketTransport({ url, token }));
}

function remoteTarget(
  name: Target['name'],
  url: string,
  host: Transport,
  server: { close(): Promise<void> },
  transport: (token: string) => Transport,
): Target {
  const clients: Client[] = [];
  return {
    name,
    urlArgs: ['--url', url],
    url,
    client(token) {
      const client = createClient(transport(token));
      clients.push(client);
      return client;
    },
    async close() {
      await Promise.all(clients.map((client) => client.close()));
      await server.close();
      await host.close();
    },
  };
}
