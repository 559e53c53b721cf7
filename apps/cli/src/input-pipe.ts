import type { StreamWriter } from '@procwire/core';

// Drain once this much is buffered: big enough to keep the link busy, far below the writer's bound.
const drainEveryBytes = 256 * 1024;

/**
 * Pipe a local stream to the process's stdin, then EOF. Awaiting `drain()` every few hundred KiB
 * is the backpressure: local stdin is read only as fast as the host accepts it.
 */
export async function pipeInput(source: AsyncIterable<Buffer | string>, stdin: StreamWriter): Promise<void> {
  let pending = 0;
  for await (const chunk of source) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    if (bytes.byteLength === 0) continue;
    stdin.write(bytes);
    pending += bytes.byteLength;
    if (pending >= drainEveryBytes) {
      await stdin.drain();
      pending = 0;
    }
  }
  stdin.writeEof();
  await stdin.drain();
}
