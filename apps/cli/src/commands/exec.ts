import type { BytesExecOptions, ContainerProcess } from '@procwire/core';
import type { ExecCommand } from '../command-line.js';
import { closeClient, openClient } from '../client-session.js';
import { resolveConnection } from '../endpoint.js';
import { reportError } from '../error-report.js';
import { pipeInput } from '../input-pipe.js';
import { exitCodeForOutcome, runPipeSession } from '../pipe-session.js';
import { localTerminalSize, requireTerminal, runTerminalSession } from '../terminal-session.js';

/** `procwire exec`: run the command and resolve with the exit code the CLI should exit with. */
export async function runExec(command: ExecCommand): Promise<number> {
  const connection = resolveConnection(command.connection, process.env);
  if (command.tty) requireTerminal('exec');
  const options: BytesExecOptions = {
    text: false,
    env: command.env,
    ...(command.cwd === undefined ? {} : { cwd: command.cwd }),
    ...(command.timeoutSeconds === undefined ? {} : { timeoutMs: Math.round(command.timeoutSeconds * 1000) }),
    ...(command.tty ? { pty: { ...localTerminalSize(), term: process.env['TERM'] || 'xterm-256color' } } : {}),
  };
  const context = { connection, argv: command.argv };
  const client = await openClient(connection);
  try {
    let started: ContainerProcess<Uint8Array>;
    try {
      started = await client.exec(command.argv, options);
    } catch (error) {
      throw reportError(error, context);
    }
    try {
      if (command.tty) return exitCodeForOutcome(await runTerminalSession(started, 'hang-up'));
      if (command.interactive) {
        // Errors surface through wait(); input for a process that exited is simply discarded.
        pipeInput(process.stdin, started.stdin).catch(() => undefined);
      } else {
        started.stdin.writeEof();
        started.stdin.drain().catch(() => undefined);
      }
      return exitCodeForOutcome(await runPipeSession(started, 'forward'));
    } catch (error) {
      throw reportError(error, { ...context, started: true });
    }
  } finally {
    await closeClient(client);
  }
}
