/**
 * A handle's view of its host: once a process has been started or found, a later `not_found` for
 * it means the host lost it (the host restarted, or forgot the process after its retention time),
 * not that the user named a wrong id. Every call a `ContainerProcess` makes maps its failures here
 * (reads through {@link lostProcessError}, the rest through {@link reportLostProcess}), so wait, poll,
 * reads, writes, signals and resize all report it the same way: `process_lost`.
 */
import { ErrorCode, isProcwireError, ProcwireError } from '../errors.js';
import type { Transport } from '../transport/contract.js';

/** Maps a failure of a call about `processId`: `not_found` becomes `process_lost`, others stay. */
export function lostProcessError(processId: string, argv: readonly string[]): (error: unknown) => unknown {
  return (error) =>
    isProcwireError(error, ErrorCode.NotFound)
      ? new ProcwireError(
          ErrorCode.ProcessLost,
          `process ${processId} (${argv[0]}) is gone from the host: the host restarted, or forgot it after its retention time`,
          { processId, argv, cause: error },
        )
      : error;
}

/**
 * `transport`, with `not_found` for `processId` turned into `process_lost` on every call but
 * `readOutput`, which output readers map themselves with {@link lostProcessError}.
 */
export function reportLostProcess(transport: Transport, processId: string, argv: readonly string[]): Transport {
  const mapError = lostProcessError(processId, argv);
  const lost = (error: unknown): never => {
    throw mapError(error);
  };
  return {
    start: (request, options) => transport.start(request, options),
    // Not on a handle's read path: its readers read the transport itself and map their failures
    // with lostProcessError, so no layer sits on each chunk.
    readOutput: (request, options) => transport.readOutput(request, options),
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
