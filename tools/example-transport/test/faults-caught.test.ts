// Each obligation the suite checks, broken on purpose in the worked example one at a time: the case
// that guards it must fail with a message naming the obligation. Without a fault the same cases
// pass. The host is core's memoryTransport (its errors carry details, e.g. the argv of a missing command).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type FaultProxy, memoryCommands, memoryPrograms, runConformanceCase, startFaultProxy } from '@procwire/conformance';
import { ErrorCode, isProcwireError, memoryTransport, ProcwireError } from '@procwire/core';
import type { CallOptions, OutputChunk, Transport } from '@procwire/core/transport';
import { type ExampleServer, exampleTransport, serveExample } from '@procwire/example-transport';

type Wrap = (transport: Transport) => Transport;
const unchanged: Wrap = (transport) => transport;

/** Every call of `base` passes through `options` and `errors` on its way. */
function wrapCalls(base: Transport, options: (o?: CallOptions) => CallOptions | undefined, errors: (error: unknown) => unknown): Transport {
  const call =
    <R, A>(method: (request: R, o?: CallOptions) => Promise<A>) =>
    (request: R, o?: CallOptions) =>
      method.call(base, request, options(o)).catch((error: unknown) => Promise.reject(errors(error)));
  return {
    start: call(base.start),
    ackOutput: call(base.ackOutput),
    writeInput: call(base.writeInput),
    wait: call(base.wait),
    poll: call(base.poll),
    signal: call(base.signal),
    resize: call(base.resize),
    get: call(base.get),
    list: (o) => base.list(options(o)).catch((error: unknown) => Promise.reject(errors(error))),
    readOutput: (request, o) => ({
      async *[Symbol.asyncIterator](): AsyncGenerator<OutputChunk> {
        try {
          yield* base.readOutput(request, options(o));
        } catch (error) {
          throw errors(error);
        }
      },
    }),
    close: () => base.close(),
  };
}

const faults = {
  ignoresSignal: ((t) => wrapCalls(t, (o) => o && { ...o, signal: undefined }, (e) => e)) as Wrap,
  dropsDetails: ((t) => wrapCalls(t, (o) => o, (e) => (isProcwireError(e) ? new ProcwireError(e.code, e.message) : e))) as Wrap,
  cutIsInternal: ((t) =>
    wrapCalls(t, (o) => o, (e) => (isProcwireError(e, ErrorCode.Unavailable) ? new ProcwireError(ErrorCode.Internal, 'socket closed') : e))) as Wrap,
  /** Between the front and the host: the front's per-connection signal never reaches the host. */
  hostCallsNotAborted: ((t) => wrapCalls(t, (o) => o && { ...o, signal: undefined }, (e) => e)) as Wrap,
  /** Between the front and the host: writeInput answered at once, applied in the background. */
  writeAnsweredEarly: ((t) => ({
    ...wrapCalls(t, (o) => o, (e) => e),
    writeInput: async (request, o) => {
      t.writeInput(request, o).catch(() => {});
      return { offset: request.offset + request.data.byteLength, eof: request.eof };
    },
  })) as Wrap,
};

/** Runs `caseName` through the example (client fault -> proxy -> server -> front fault -> host). */
function runThroughExample(caseName: string, fault: { client?: Wrap; front?: Wrap } = {}): Promise<void> {
  let server: ExampleServer;
  let proxy: FaultProxy;
  let host: Transport;
  return runConformanceCase(caseName, {
    setup: async (kit) => {
      host = memoryTransport({ programs: memoryPrograms, baseEnv: { HOME: '/home/memory' } });
      server = await serveExample((fault.front ?? unchanged)(kit.observeHost(host)));
      proxy = await startFaultProxy(server.address);
      return { transport: (fault.client ?? unchanged)(exampleTransport({ address: proxy.address })), interrupt: () => void proxy.cutAll() };
    },
    teardown: async ({ transport }) => {
      await transport.close();
      await proxy.close();
      await server.close();
      await host.close();
    },
    commands: memoryCommands,
  });
}

const cases = {
  abort: 'call abort: CallOptions.signal abandons a blocked readOutput, wait and writeInput with "aborted"',
  dropped: 'dropped connection: the server stops the host reads and waits of a connection that dropped',
  errors: 'wire errors: a host error arrives with its code, message and details',
  stdin: 'stdin backpressure: writeInput answers only what the host accepted, and an unread stdin blocks the writer',
  cut: 'connection cut: calls in flight reject with "unavailable", and later calls succeed',
};

describe('the suite catches each broken obligation in the worked example', { timeout: 120_000 }, () => {
  it('without a fault, every one of these cases passes', async () => {
    for (const name of Object.values(cases)) await runThroughExample(name);
  });

  it('a client that ignores CallOptions.signal fails "call abort", told to pass the signal on', async () => {
    await assert.rejects(runThroughExample(cases.abort, { client: faults.ignoresSignal }), /still pending\. Pass CallOptions\.signal on/);
  });

  it("a server that leaves a dropped connection's host calls running fails \"dropped connection\"", async () => {
    await assert.rejects(runThroughExample(cases.dropped, { front: faults.hostCallsNotAborted }), /still runs 1 readOutput and 1 wait on the host for it: abort a connection's host calls/);
  });

  it('a wire that drops error details fails "wire errors", naming the details', async () => {
    await assert.rejects(runThroughExample(cases.errors, { client: faults.dropsDetails }), /start of an unknown command: the error through the transport differs from the host's\. Encode code, message and every detail/);
  });

  it('a server that answers writeInput before the host accepted the bytes fails "stdin backpressure"', async () => {
    await assert.rejects(runThroughExample(cases.stdin, { front: faults.writeAnsweredEarly }), /(the host has accepted only \d+ bytes|never blocked: stdin backpressure is lost)/);
  });

  it('a client that reports a cut connection as "internal" fails "connection cut", saying "unavailable" was expected', async () => {
    await assert.rejects(runThroughExample(cases.cut, { client: faults.cutIsInternal }), /expected a "unavailable" rejection, but it rejected with "internal"/);
  });
});
