/** The raw `child_process` baseline: what a program gets with `spawn` and 'data' events, nothing else. */
import { spawn } from 'node:child_process';

/** Run argv and count its stdout bytes ('data' events); resolves at 'close'. */
export function rawStdoutBytes(command: string, args: readonly string[]): Promise<{ bytes: number; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'ignore'] });
    let bytes = 0;
    child.stdout.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ bytes, code }));
  });
}

/** Write `bytes` bytes (in 1 MiB writes, honouring backpressure) to argv's stdin; resolves at exit. */
export function rawStdinBytes(command: string, args: readonly string[], bytes: number): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'ignore', 'ignore'] });
    child.once('error', reject);
    child.once('close', (code) => resolve(code));
    const chunk = Buffer.alloc(1024 * 1024, 0x61);
    let left = bytes;
    const pump = () => {
      while (left > 0) {
        const piece = left >= chunk.length ? chunk : chunk.subarray(0, left);
        left -= piece.length;
        if (!child.stdin.write(piece)) {
          child.stdin.once('drain', pump);
          return;
        }
      }
      child.stdin.end();
    };
    pump();
  });
}

/** Spawn argv and resolve when it has exited ('exit'), with its code. */
export function rawRoundTrip(command: string, args: readonly string[]): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: 'ignore' });
    child.once('error', reject);
    child.once('exit', (code) => resolve(code));
  });
}
