import type { ContainerProcess, ExitStatus, SignalName } from '@procwire/core';
import { copyOutput } from './output-copy.js';

/** What Ctrl-C does to the process while the CLI follows it without a terminal. */
export type InterruptMode = 'forward' | 'detach';

/** Result of following a process: its exit status, or the CLI was told to leave first. */
export type PipeOutcome = { readonly status: ExitStatus } | { readonly detachedBy: SignalName };

/**
 * Follow a process without a terminal: stdout to local stdout, stderr to local stderr, until the
 * process has exited and both streams reached EOF (so no byte is lost at the end).
 *
 * `'forward'` (exec): Ctrl-C sends SIGINT to the process, a second one SIGKILL, a third leaves;
 * SIGTERM and SIGHUP of the CLI are forwarded. `'detach'` (attach): any of them leaves, and the
 * process keeps running.
 */
export async function runPipeSession(process_: ContainerProcess<Uint8Array>, interrupts: InterruptMode): Promise<PipeOutcome> {
  let leave: (signal: SignalName) => void = () => undefined;
  const left = new Promise<PipeOutcome>((resolve) => {
    leave = (signal) => resolve({ detachedBy: signal });
  });
  const removeHandlers = installInterrupts(process_, interrupts, leave);
  const sendSigpipe = () => void process_.kill('SIGPIPE').catch(() => undefined);
  try {
    const finished = Promise.allSettled([
      process_.waitStatus(),
      copyOutput(process_.stdout, process.stdout, sendSigpipe),
      copyOutput(process_.stderr, process.stderr, () => undefined),
    ]).then(([status, stdout, stderr]): PipeOutcome => {
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
  process_: ContainerProcess<Uint8Array>,
  mode: InterruptMode,
  leave: (signal: SignalName) => void,
): () => void {
  let interrupts = 0;
  const send = (signal: SignalName) => void process_.kill(signal).catch(() => undefined);
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
