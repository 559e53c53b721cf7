/**
 * A host transport seen as one principal: every call carries `principal`, as a server sets it from
 * the caller's token. Gives a host transport (`localTransport`, `memoryTransport`) the second
 * principal the isolation cases need.
 */
import type { CallOptions, Transport } from '@procwire/core/transport';

/**
 * `transport` with `principal` on every call. `close()` does nothing: the host belongs to whoever
 * made it.
 */
export function withPrincipal(transport: Transport, principal: string): Transport {
  const as = (options?: CallOptions): CallOptions => ({ ...options, principal });
  return {
    start: (request, options) => transport.start(request, as(options)),
    readOutput: (request, options) => transport.readOutput(request, as(options)),
    ackOutput: (request, options) => transport.ackOutput(request, as(options)),
    writeInput: (request, options) => transport.writeInput(request, as(options)),
    wait: (request, options) => transport.wait(request, as(options)),
    poll: (request, options) => transport.poll(request, as(options)),
    signal: (request, options) => transport.signal(request, as(options)),
    resize: (request, options) => transport.resize(request, as(options)),
    get: (request, options) => transport.get(request, as(options)),
    list: (options) => transport.list(as(options)),
    close: async () => {},
  };
}
