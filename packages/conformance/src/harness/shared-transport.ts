/**
 * The transport as the cases share it: every call passes through, `close()` does nothing, so a
 * case can close its own clients (and `await using` them) without ending the suite's transport.
 */
import type { Transport } from '@procwire/core/transport';

/** `transport` with a `close()` that does nothing. */
export function withoutClose(transport: Transport): Transport {
  return {
    start: (request, options) => transport.start(request, options),
    readOutput: (request, options) => transport.readOutput(request, options),
    ackOutput: (request, options) => transport.ackOutput(request, options),
    writeInput: (request, options) => transport.writeInput(request, options),
    wait: (request, options) => transport.wait(request, options),
    poll: (request, options) => transport.poll(request, options),
    signal: (request, options) => transport.signal(request, options),
    resize: (request, options) => transport.resize(request, options),
    get: (request, options) => transport.get(request, options),
    list: (options) => transport.list(options),
    close: async () => {},
  };
}
