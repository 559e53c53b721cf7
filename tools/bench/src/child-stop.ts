/** Ending the bench's child processes (servers and clients) the same way. */
import type { ChildProcess } from 'node:child_process';

/** Ask `child` to close (`{ type: 'close' }` over IPC) and wait for it to exit; SIGKILL after 5 s. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.send({ type: 'close' });
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}
