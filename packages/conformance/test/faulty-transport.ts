// A transport with one deliberate fault, to show that the suite's cases notice it.
import type { Transport } from '@procwire/core/transport';

/** `base` with some methods replaced; every other call passes through. */
export function withFault(base: Transport, fault: Partial<Transport>): Transport {
  return {
    start: fault.start ?? ((request, options) => base.start(request, options)),
    readOutput: fault.readOutput ?? ((request, options) => base.readOutput(request, options)),
    ackOutput: fault.ackOutput ?? ((request, options) => base.ackOutput(request, options)),
    writeInput: fault.writeInput ?? ((request, options) => base.writeInput(request, options)),
    wait: fault.wait ?? ((request, options) => base.wait(request, options)),
    poll: fault.poll ?? ((request, options) => base.poll(request, options)),
    signal: fault.signal ?? ((request, options) => base.signal(request, options)),
    resize: fault.resize ?? ((request, options) => base.resize(request, options)),
    get: fault.get ?? ((request, options) => base.get(request, options)),
    list: fault.list ?? ((options) => base.list(options)),
    close: fault.close ?? (() => base.close()),
  };
}
