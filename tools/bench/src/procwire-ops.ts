/** The procwire side of each scenario, written once against the user API so every transport runs the same code. */
import type { Client } from '@procwire/core';
import { type EchoPlan, EchoProbe, type EchoSamples, rawCatScript, sampleEcho } from './echo-probe.js';

/** Run argv through procwire in bytes mode, count stdout bytes, and wait for the exit code. */
export async function procwireStdoutBytes(
  client: Client,
  argv: readonly string[],
  pty = false,
): Promise<{ bytes: number; code: number }> {
  const process = await client.exec(argv, { text: false, stderr: 'devnull', ...(pty ? { pty: true } : {}) });
  let bytes = 0;
  for await (const chunk of process.stdout) bytes += chunk.byteLength;
  return { bytes, code: await process.wait() };
}

/**
 * Write `bytes` into `cat >/dev/null` through procwire: 1 MiB writes, awaiting `drain()` every
 * 8 MiB (and whenever the writer says its buffer is full), then EOF.
 */
export async function procwireStdin(client: Client, bytes: number): Promise<number> {
  const process = await client.exec(['sh', '-c', 'cat >/dev/null'], { text: false });
  const chunk = new Uint8Array(1024 * 1024).fill(0x61);
  let sinceDrain = 0;
  for (let left = bytes; left > 0; ) {
    const piece = left >= chunk.byteLength ? chunk : chunk.subarray(0, left);
    try {
      process.stdin.write(piece);
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'resource_exhausted') throw error;
      await process.stdin.drain();
      sinceDrain = 0;
      continue;
    }
    left -= piece.byteLength;
    sinceDrain += piece.byteLength;
    if (sinceDrain >= 8 * 1024 * 1024) {
      await process.stdin.drain();
      sinceDrain = 0;
    }
  }
  process.stdin.writeEof();
  await process.stdin.drain();
  return process.wait();
}

/** `exec(['true'])` then `wait()`. */
export async function procwireRoundTrip(client: Client): Promise<number> {
  const process = await client.exec(['true']);
  return process.wait();
}

/** A raw-mode `cat` in a procwire pty, its output fed to a probe: what every echo measurement types into. */
export interface EchoTerminal {
  readonly probe: EchoProbe;
  /** Type one keystroke (time it with `probe.roundTrip`). */
  send(byte: Uint8Array): void;
  /** Kill the terminal and wait until its reader has stopped. */
  close(): Promise<void>;
}

/** Start {@link rawCatScript} in a pty on `client`; the probe is fed from its stdout. */
export async function openEchoTerminal(client: Client): Promise<EchoTerminal> {
  const process = await client.exec(['sh', '-c', rawCatScript], { pty: true, text: false });
  const probe = new EchoProbe();
  const reading = (async () => {
    for await (const chunk of process.stdout) probe.feed(chunk);
  })().catch(() => {});
  return {
    probe,
    send: (byte) => process.stdin.write(byte),
    close: async () => {
      await process.kill('SIGKILL').catch(() => {});
      await process.wait().catch(() => {});
      await reading;
    },
  };
}

/** Echo latencies (ms) of a raw-mode `cat` in a procwire pty. */
export async function procwireEcho(client: Client, plan: EchoPlan): Promise<EchoSamples> {
  const terminal = await openEchoTerminal(client);
  try {
    return await sampleEcho(terminal.probe, terminal.send, plan);
  } finally {
    await terminal.close();
  }
}
