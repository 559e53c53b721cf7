// Fake executables shared by the core tests (a helper: not a test file itself).
import type { MemoryProgram } from '@procwire/core';

/** Writes its arguments joined by spaces and a newline, like echo(1). */
export const echo: MemoryProgram = async ({ argv, stdout }) => {
  await stdout.write(`${argv.slice(1).join(' ')}\n`);
  return 0;
};

/** Copies stdin to stdout until EOF, like cat(1). */
export const cat: MemoryProgram = async ({ stdin, stdout }) => {
  for await (const chunk of stdin) await stdout.write(chunk);
  return 0;
};

/** Writes each argument as a separate chunk (hex-encoded bytes after `hex:`), stdout or stderr by prefix. */
export const chunks: MemoryProgram = async ({ argv, stdout, stderr }) => {
  for (const item of argv.slice(1)) {
    const [target, payload] = item.startsWith('err:') ? [stderr, item.slice(4)] : [stdout, item];
    await target.write(payload.startsWith('hex:') ? hexBytes(payload.slice(4)) : payload);
  }
  return 0;
};

/** Exits with the code given as its argument. */
export const exit: MemoryProgram = ({ argv }) => Number(argv[1]);

/** Runs until killed; prints "ready" first. */
export const sleep: MemoryProgram = async ({ stdout, killed }) => {
  await stdout.write('ready\n');
  await new Promise((resolve) => killed.addEventListener('abort', resolve, { once: true }));
  return 0;
};

/** Catches every signal it can and reports it; exits 0 on SIGUSR1 after "bye". */
export const trap: MemoryProgram = async ({ stdout, onSignal, killed }) => {
  let finish: (code: number) => void = () => {};
  const done = new Promise<number>((resolve) => {
    finish = resolve;
  });
  onSignal((signal) => {
    void stdout.write(`caught ${signal}\n`);
    if (signal === 'SIGUSR1') finish(0);
  });
  killed.addEventListener('abort', () => finish(-1), { once: true });
  await stdout.write('ready\n');
  return done;
};

/** Writes `argv[1]` bytes of a deterministic pattern in chunks of `argv[2]` (default 64 KiB). */
export const produce: MemoryProgram = async ({ argv, stdout }) => {
  const total = Number(argv[1]);
  const chunkSize = Number(argv[2] ?? 65536);
  for (let offset = 0; offset < total; offset += chunkSize) {
    await stdout.write(patternBytes(offset, Math.min(chunkSize, total - offset)));
  }
  return 0;
};

/** Reports terminal size changes, and exits when stdin ends. */
export const tty: MemoryProgram = async ({ stdout, stdin, onResize, size }) => {
  await stdout.write(`size ${size?.cols}x${size?.rows}\n`);
  onResize((next) => void stdout.write(`size ${next.cols}x${next.rows}\n`));
  for await (const keys of stdin) await stdout.write(keys);
  return 7;
};

/** Prints its environment and cwd. */
export const env: MemoryProgram = async ({ env, cwd, stdout }) => {
  await stdout.write(`${JSON.stringify(env)}\n${cwd}\n`);
  return 0;
};

/** Throws, to show a crashing program ends with 1 and its message on stderr. */
export const crash: MemoryProgram = () => {
  throw new Error('boom');
};

export const allPrograms = { echo, cat, chunks, exit, sleep, trap, produce, tty, env, crash };

/** The byte at `offset` of the pattern `produce` writes. */
export function patternBytes(offset: number, length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = ((offset + i) * 31 + ((offset + i) >>> 11)) & 0xff;
  return bytes;
}

export function hexBytes(hex: string): Uint8Array {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}
