import type { KillCommand } from '../command-line.js';
import { closeClient, openClient, requireServer } from '../client-session.js';
import { resolveConnection } from '../endpoint.js';
import { reportError } from '../error-report.js';
import { ExitCode } from '../exit-codes.js';

/** `procwire kill ID [SIGNAL]`: signal the process's group; an exited process is not an error. */
export async function runKill(command: KillCommand): Promise<number> {
  const connection = resolveConnection(command.connection, process.env);
  requireServer(connection, 'kill');
  const client = await openClient(connection);
  try {
    const target = await client.get(command.processId, { text: false });
    await target.kill(command.signal);
    return ExitCode.Success;
  } catch (error) {
    throw reportError(error, { connection, processId: command.processId });
  } finally {
    await closeClient(client);
  }
}
