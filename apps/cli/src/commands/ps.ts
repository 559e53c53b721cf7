import type { ProcessDetails } from '@procwire/core';
import type { PsCommand } from '../command-line.js';
import { closeClient, openClient, requireServer } from '../client-session.js';
import { resolveConnection } from '../endpoint.js';
import { reportError } from '../error-report.js';
import { ExitCode } from '../exit-codes.js';
import { formatProcessTable, toProcessSummary } from '../process-table.js';

/** `procwire ps [--json]`: list the caller's processes. */
export async function runPs(command: PsCommand): Promise<number> {
  const connection = resolveConnection(command.connection, process.env);
  requireServer(connection, 'ps');
  const client = await openClient(connection);
  let processes: ProcessDetails[];
  try {
    processes = await client.list();
  } catch (error) {
    throw reportError(error, { connection });
  } finally {
    await closeClient(client);
  }
  const sorted = [...processes].sort((a, b) => a.startedAt - b.startedAt);
  process.stdout.write(
    command.json ? `${JSON.stringify(sorted.map(toProcessSummary), null, 2)}\n` : formatProcessTable(sorted),
  );
  return ExitCode.Success;
}
