/**
 * A handle's view of its host: once a process has been started or found, a later `not_found` for
 * it means the host lost it (the host restarted, or forgot the process after its retention time),
 * not that the user named a wrong id. Every call a `ContainerProcess` makes goes through here, so
 * wait, poll, reads, writes, signals and resize all report it the same way: `process_lost`.
 */
import { ErrorCode, isProcwireError, ProcwireError } from '../errors.js';
import type { Transport } from '../transport/contract.js';

/** `transport`, with `not_found` for `processId` turned into `process_lost`. */
export function reportLostProcess(transport: Transport, processId: string, argv: readonly string[]): Transport {
  const lost = (error: unknown): never => {
    if (!isProcwireError(error, ErrorCode.NotFound)) throw error;
    throw new ProcwireError(
      ErrorCode.ProcessLost,
      `process ${processId} (${argv[0]}) is gone from the host: the host restarted, or forgot it after its retention time`,
      { processId, argv, cause: error },
    );
  };
  return {
    start: (request, options) => transport.start(request, options),
    // Output is the hot path: map errors on the source's own iterator, no generator layer per chunk.
    readOutput(request, options) {
      const source = transport.readOutput(request, options);
      return {
        [Symbol.asyncIterator]() {
          const iterator = source[Symbol.asyncIterator]();
          return {
            next: () => iterator.next().catch(lost),
            return: async () => (await iterator.return?.()) ?? { done: true, value: undefined },
          };
        },
      };
    },
    ackOutput: (request, options) => transport.ackOutput(request, options).catch(lost),
    writeInput: (request, options) => transport.writeInput(request, options).catch(lost),
    wait: (request, options) => transport.wait(request, options).catch(lost),
    poll: (request, options) => transport.poll(request, options).catch(lost),
    signal: (request, options) => transport.signal(request, options).catch(lost),
    resize: (request, options) => transport.resize(request, options).catch(lost),
    get: (request, options) => transport.get(request, options).catch(lost),
    list: (options) => transport.list(options),
    close: () => transport.close(),
  };
}
