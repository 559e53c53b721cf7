import type { Client } from '@procwire/core';
import { usageError } from './cli-error.js';
import type { CommandName } from './command-line.js';
import { createClient } from '@procwire/core';
import type { Connection } from './endpoint.js';
import { FirstConnect } from './first-connect.js';
import { createTransport } from './transport-factory.js';

/**
 * Connect to the host the connection names. The core retries transient failures until give-up;
 * a first connection that fails gives up sooner (see FirstConnect).
 */
export async function openClient(connection: Connection): Promise<Client> {
  const transport = await createTransport(connection);
  if (connection.endpoint.kind === 'local') return createClient(transport);
  const firstConnect = new FirstConnect(connection);
  return createClient(firstConnect.watch(transport), {
    ...(connection.retryTimeoutMs === undefined ? {} : { retryTimeoutMs: connection.retryTimeoutMs }),
    onRetry: firstConnect.onRetry,
  });
}

/**
 * Close the client without letting an unreachable server hold the CLI: a close that takes longer
 * than `graceMs` is abandoned (the process exits right after anyway).
 */
export async function closeClient(client: Client, graceMs = 1000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    client.close().catch(() => undefined),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, graceMs);
      timer.unref();
    }),
  ]);
  clearTimeout(timer);
}

/**
 * Processes on this host live only as long as the `procwire exec` that started them, so the
 * commands that name an existing process need a server.
 */
export function requireServer(connection: Connection, command: CommandName): void {
  if (connection.endpoint.kind === 'local') {
    throw usageError(
      `'procwire ${command}' needs a server: give --url or set PROCWIRE_URL (processes run without one end with their exec)`,
      command,
    );
  }
}
