/**
 * Tells the page whether its connection works. Core retries a call that fails with `unavailable`
 * on its own, so the page sees no error while the network is down; this wrapper around the
 * transport sees each failed attempt ("reconnecting") and each answer ("connected"). While
 * reconnecting it also asks the host now and then, since a blocked read answers only when there
 * is output.
 */
import { ErrorCode, isProcwireError } from '@procwire/core';
import type { CallOptions, OutputChunk, ReadOutputRequest, Transport } from '@procwire/core/transport';

export type ConnectionState = 'connected' | 'reconnecting';

/** How often the host is asked while the connection is down. */
const probeEveryMs = 1000;

/** `transport`, with `onChange` told when calls start failing as unavailable and when they work again. */
export function watchConnection(transport: Transport, onChange: (state: ConnectionState) => void): Transport {
  let state: ConnectionState = 'connected';
  let probe: ReturnType<typeof setInterval> | undefined;
  const set = (next: ConnectionState) => {
    if (next === state) return;
    state = next;
    if (next === 'reconnecting') {
      probe = setInterval(() => {
        transport.list().then(answered, () => {});
      }, probeEveryMs);
    } else {
      clearInterval(probe);
      probe = undefined;
    }
    onChange(next);
  };
  const answered = () => set('connected');
  const failed = (error: unknown) => {
    if (isProcwireError(error, ErrorCode.Unavailable)) set('reconnecting');
    throw error;
  };
  const watched = <R>(call: Promise<R>): Promise<R> =>
    call.then((result) => {
      answered();
      return result;
    }, failed);

  return {
    start: (request, options) => watched(transport.start(request, options)),
    async *readOutput(request: ReadOutputRequest, options?: CallOptions): AsyncIterable<OutputChunk> {
      try {
        for await (const chunk of transport.readOutput(request, options)) {
          answered();
          yield chunk;
        }
      } catch (error) {
        failed(error);
      }
    },
    ackOutput: (request, options) => watched(transport.ackOutput(request, options)),
    writeInput: (request, options) => watched(transport.writeInput(request, options)),
    wait: (request, options) => watched(transport.wait(request, options)),
    poll: (request, options) => watched(transport.poll(request, options)),
    signal: (request, options) => watched(transport.signal(request, options)),
    resize: (request, options) => watched(transport.resize(request, options)),
    get: (request, options) => watched(transport.get(request, options)),
    list: (options) => watched(transport.list(options)),
    close: () => {
      clearInterval(probe);
      return transport.close();
    },
  };
}
