/** The raw node-pty baseline: `spawn` + `onData` + `onExit`, as a program using node-pty directly would. */
import pty from 'node-pty';
import { type EchoPlan, EchoProbe, type EchoSamples, rawCatScript, sampleEcho } from '../echo-probe.js';

/**
 * Run argv in a terminal and count the bytes `onData` delivered by the time `onExit` fired; that is
 * what a program that trusts `onExit` gets (node-pty fires it before the last data).
 */
export function rawPtyBytes(command: string, args: readonly string[]): Promise<{ bytes: number; code: number }> {
  return new Promise((resolve) => {
    const terminal = pty.spawn(command, [...args], { cols: 80, rows: 24, name: 'xterm-256color', encoding: null });
    let bytes = 0;
    terminal.onData((data: string | Buffer) => {
      bytes += typeof data === 'string' ? Buffer.byteLength(data) : data.length;
    });
    terminal.onExit(({ exitCode }) => resolve({ bytes, code: exitCode }));
  });
}

/** Echo latencies (ms) of a raw-mode `cat` in a node-pty terminal. */
export async function rawPtyEcho(plan: EchoPlan): Promise<EchoSamples> {
  const terminal = pty.spawn('sh', ['-c', rawCatScript], { cols: 80, rows: 24, name: 'xterm-256color', encoding: null });
  const probe = new EchoProbe();
  terminal.onData((data: string | Buffer) => probe.feed(typeof data === 'string' ? Buffer.from(data) : data));
  const exited = new Promise((resolve) => terminal.onExit(resolve));
  try {
    return await sampleEcho(probe, (byte) => terminal.write(Buffer.from(byte)), plan);
  } finally {
    terminal.kill('SIGKILL');
    await exited;
  }
}
