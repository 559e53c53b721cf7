/**
 * A client transport with its acknowledgements paced by an {@link AckPacer}, with no pacing code
 * in the transport: every `ProcessInfo` seen notes the window,
 * `wait` forgets the process, and `close()` flushes held acks before it closes the transport.
 */
import { AckPacer } from './ack-pacer.js';
import type { ProcessInfo, Transport } from './contract.js';

/** Options of {@link pacedTransport}. */
export interface PacedTransportOptions {
  /** How long `close()` waits for held acks to go out before it closes the transport; default 1000 ms. */
  readonly flushTimeoutMs?: number;
}

/**
 * `transport` with its `ackOutput` calls paced: where an ack is a message of its own, this cuts
 * acks several-fold on bulk output and to a few per second on a terminal.
 */
export function pacedTransport(transport: Transport, options: PacedTransportOptions = {}): Transport {
  const pacer = new AckPacer();
  const flushTimeoutMs = options.flushTimeoutMs ?? 1_000;
  const note = (info: ProcessInfo): ProcessInfo => {
    pacer.noteWindow(info.processId, info.outputWindowBytes);
    return info;
  };
  return {
    start: async (request, callOptions) => note(await transport.start(request, callOptions)),
    get: async (request, callOptions) => note(await transport.get(request, callOptions)),
    list: async (callOptions) => (await transport.list(callOptions)).map(note),
    readOutput: (request, callOptions) => transport.readOutput(request, callOptions),
    ackOutput: (request, callOptions) =>
      pacer.pace(request.processId, request.fd, request.offset, (offset) =>
        transport.ackOutput({ ...request, offset }, callOptions),
      ),
    writeInput: (request, callOptions) => transport.writeInput(request, callOptions),
    wait: async (request, callOptions) => {
      const status = await transport.wait(request, callOptions);
      pacer.forget(request.processId);
      return status;
    },
    poll: (request, callOptions) => transport.poll(request, callOptions),
    signal: (request, callOptions) => transport.signal(request, callOptions),
    resize: (request, callOptions) => transport.resize(request, callOptions),
    close: async () => {
      await pacer.flush(flushTimeoutMs);
      await transport.close();
    },
  };
}
