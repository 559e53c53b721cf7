import type { Client, ClientOptions, Terminal, Transport } from '@procwire/core';

// TEMPORARY seam while @procwire/core's runtime lands: typed by the contract (DESIGN.md).
interface CoreModule {
  createClient(transport: Transport, options?: ClientOptions): Client;
}
interface CoreNodeModule {
  nodeTerminal(): Terminal;
}

/** `createClient` from `@procwire/core`. */
export async function createClient(transport: Transport, options?: ClientOptions): Promise<Client> {
  const core = (await import('@procwire/core')) as unknown as CoreModule;
  return core.createClient(transport, options);
}

/** `nodeTerminal()` from `@procwire/core/node`: this process's TTY as a procwire terminal. */
export async function nodeTerminal(): Promise<Terminal> {
  const node = (await import('@procwire/core/node')) as unknown as CoreNodeModule;
  return node.nodeTerminal();
}
