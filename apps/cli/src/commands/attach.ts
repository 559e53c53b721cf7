import type { AttachCommand } from '../command-line.js';
import { closeClient, openClient, requireServer } from '../client-session.js';
import { resolveConnection } from '../endpoint.js';
import { reportError } from '../error-report.js';
import { exitCodeForOutcome, runPipeSession } from '../pipe-session.js';
import { hasTerminal, runTerminalSession } from '../terminal-session.js';

/**
 * `procwire attach ID`: follow a process again, first showing the recent output the server still
 * keeps (its replay tail; `--no-replay`: from where the output was last acknowledged). A process
 * in a pty gets this terminal when there is one; leaving (Ctrl-C without a terminal, a signal to
 * the CLI) detaches and leaves the process running.
 */
export async function runAttach(command: AttachCommand): Promise<number> {
  const connection = resolveConnection(command.connection, process.env);
  requireServer(connection, 'attach');
  const context = { connection, processId: command.processId };
  const client = await openClient(connection);
  try {
    const attached = await client.get(command.processId, { text: false, replay: command.replay });
    const info = await attached.info();
    const outcome =
      info.pty !== undefined && hasTerminal()
        ? await runTerminalSession(attached, 'detach')
        : await runPipeSession(attached, 'detach');
    return exitCodeForOutcome(outcome);
  } catch (error) {
    throw reportError(error, { ...context, started: true });
  } finally {
    await closeClient(client);
  }
}
