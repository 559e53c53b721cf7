import type { ContainerProcess, ExitStatus, SignalName } from '@procwire/core';
import { exitCodeForStatus } from './error-report.js';
import { copyOutput } from './output-copy.js';
import { signalNumber } from './signals.js';

/** What Ctrl-C does to the process while the CLI follows it without a terminal. */
export type InterruptMode = 'forward' | 'detach';

/** Result of following a process: its exit status, or the CLI was told to leave first. */
export type SessionOutcome = { readonly status: ExitStatus } | { readonly detachedBy: SignalName };

/**
 * Follow a process without a terminal: stdout to local stdout, stderr to local stderr, until the
 * process has exited and both streams reached EOF (so no byte is lost at the end).
 *
 * `'forward'` (exec): Ctrl-C sends SIGINT to the process, a second one SIGKILL, a third leaves;
 * SIGTERM and SIGHUP of the CLI are forwarded. `'detach'` (attach): any of them leaves, and the
 * process keeps running.
 */
export async function runPipeSession(running: ContainerProcess<Uint8Array>, interrupts: InterruptMode): Promise<SessionOutcome> {
  let leave: (signal: SignalName) => void = () => undefined;
  const left = new Promise<SessionOutcome>((resolve) => {
    leave = (signal) => resolve({ detachedBy: signal });
  });
  const removeHandlers = installInterrupts(running, interrupts, leave);
  const sendSigpipe = () => void running.kill('SIGPIPE').catch(() => undefined);
  try {
    const finished = Promise.allSettled([
      running.waitStatus(),
      copyOutput(running.stdout, process.stdout, sendSigpipe),
      copyOutput(running.stderr, process.stderr, () => undefined),
    ]).then(([status, stdout, stderr]): SessionOutcome => {
      // The exit status is authoritative (a timeout error carries the code); then copy failures.
      if (status.status === 'rejected') throw status.reason;
      if (stdout.status === 'rejected') throw stdout.reason;
      if (stderr.status === 'rejected') throw stderr.reason;
      return { status: status.value };
    });
    return await Promise.race([finished, left]);
  } finally {
    removeHandlers();
  }
}

function installInterrupts(
  running: ContainerProcess<Uint8Array>,
  mode: InterruptMode,
  leave: (signal: SignalName) => void,
): () => void {
  let interrupts = 0;
  const send = (signal: SignalName) => void running.kill(signal).catch(() => undefined);
  const onInterrupt = () => {
    if (mode === 'detach') return leave('SIGINT');
    interrupts++;
    if (interrupts === 1) send('SIGINT');
    else if (interrupts === 2) send('SIGKILL');
    else leave('SIGINT');
  };
  const onTerminate = () => (mode === 'detach' ? leave('SIGTERM') : send('SIGTERM'));
  const onHangUp = () => (mode === 'detach' ? leave('SIGHUP') : send('SIGHUP'));
  process.on('SIGINT', onInterrupt);
  process.on('SIGTERM', onTerminate);
  process.on('SIGHUP', onHangUp);
  return () => {
    process.off('SIGINT', onInterrupt);
    process.off('SIGTERM', onTerminate);
    process.off('SIGHUP', onHangUp);
  };
}

/** The CLI's exit code for an outcome: the process's code (124 for --timeout), or 128+n on leaving. */
export function exitCodeForOutcome(outcome: SessionOutcome): number {
  if ('detachedBy' in outcome) return 128 + (signalNumber(outcome.detachedBy) ?? 2);
  return exitCodeForStatus(outcome.status);
}
