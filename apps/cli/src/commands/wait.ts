import type { WaitCommand } from '../command-line.js';
import { closeClient, openClient, requireServer } from '../client-session.js';
import { resolveConnection } from '../endpoint.js';
import { exitCodeForStatus, reportError } from '../error-report.js';

/** `procwire wait ID`: resolve with the process's exit code once it has exited. */
export async function runWait(command: WaitCommand): Promise<number> {
  const connection = resolveConnection(command.connection, process.env);
  requireServer(connection, 'wait');
  const client = await openClient(connection);
  try {
    const target = await client.get(command.processId, { text: false });
    const status = await target.waitStatus();
    return exitCodeForStatus(status);
  } catch (error) {
    throw reportError(error, { connection, processId: command.processId, started: true });
  } finally {
    await closeClient(client);
  }
}
