import type { ContainerProcess, SignalName } from '@procwire/core';
import { CliError } from './cli-error.js';
import { nodeTerminal } from '@procwire/core/node';
import { ExitCode } from './exit-codes.js';
import type { SessionOutcome } from './pipe-session.js';

/** Signals that end the CLI itself; under a terminal, keys never raise them (raw mode). */
const hangUpSignals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** What to do with the process when the CLI itself is signalled during a terminal session. */
export type OnCliSignal = 'hang-up' | 'detach';

/** True when this process can run a terminal session (stdin and stdout are TTYs). */
export function hasTerminal(): boolean {
  return process.stdin.isTTY === true && process.stdout.isTTY === true;
}

/** The local terminal's size, as `exec -t` starts the remote pty with. */
export function localTerminalSize(): { cols: number; rows: number } {
  return { cols: process.stdout.columns || 80, rows: process.stdout.rows || 24 };
}

/** Fail fast when `-t` is asked for without a terminal, as docker does. */
export function requireTerminal(command: string): void {
  if (!hasTerminal()) {
    throw new CliError(`${command} -t needs a terminal, but stdin or stdout is not a TTY (drop -t; -i pipes stdin)`, ExitCode.Usage);
  }
}

/**
 * Connect this TTY to the process (core `attach()`: raw mode, size at start and on SIGWINCH) and
 * resolve with its exit code. The terminal is restored on every path: the process ends, attach
 * fails (lost server), or the CLI is signalled — then the process is hung up (`'hang-up'`) or left
 * running (`'detach'`) and the CLI exits 128+n.
 */
export async function runTerminalSession(
  running: ContainerProcess<Uint8Array>,
  onCliSignal: OnCliSignal,
): Promise<SessionOutcome> {
  const terminal = nodeTerminal();
  const controller = new AbortController();
  let cliSignal: SignalName | undefined;
  const handlers = hangUpSignals.map((name) => {
    const handler = () => {
      cliSignal ??= name;
      controller.abort();
    };
    process.on(name, handler);
    return () => process.off(name, handler);
  });
  let finished = false;
  try {
    await running.attach({ terminal, signal: controller.signal });
    finished = true;
  } catch (error) {
    if (cliSignal === undefined) throw error;
    if (onCliSignal === 'hang-up') await boundedKill(running, 'SIGHUP');
    return { detachedBy: cliSignal };
  } finally {
    for (const remove of handlers) remove();
    terminal.close();
    restoreTerminal();
    // Cut short (signal, lost server): leave the remote's half-drawn line, as ssh does.
    if (!finished) process.stdout.write('\r\n');
  }
  // The full status says whether --timeout ended it; it is known once attach() has resolved.
  return { status: await running.waitStatus() };
}

/** Put the TTY back in cooked mode; safe to call twice (also run at process exit). */
export function restoreTerminal(): void {
  if (process.stdin.isTTY && process.stdin.isRaw) process.stdin.setRawMode(false);
}

async function boundedKill(running: ContainerProcess<Uint8Array>, signal: SignalName): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    running.kill(signal).catch(() => undefined),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, 2000);
    }),
  ]);
  clearTimeout(timer);
}
