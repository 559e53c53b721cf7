// Test harness: a client over a memory host with the shared fake programs (not a test file).
import { type Client, type ClientOptions, createClient, type MemoryTransport, type MemoryTransportOptions, memoryTransport } from '@procwire/core';
import { allPrograms } from './programs.js';

export interface Harness {
  readonly transport: MemoryTransport;
  readonly client: Client;
}

/** Runs `body` with a fresh host and client, and closes both however `body` ends. */
export async function withClient(
  body: (harness: Harness) => Promise<void>,
  hostOptions: Partial<MemoryTransportOptions> = {},
  clientOptions: ClientOptions = {},
): Promise<void> {
  const transport = memoryTransport({ ...hostOptions, programs: { ...allPrograms, ...hostOptions.programs } });
  const client = createClient(transport, clientOptions);
  try {
    await body({ transport, client });
  } finally {
    await client.close();
  }
}

/** Collects an async iterable into an array. */
export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

/** Polls `condition` every few milliseconds until it holds (bounded: fails after `timeoutMs`). */
export async function eventually(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
