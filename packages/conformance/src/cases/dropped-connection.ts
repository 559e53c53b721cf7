/** A server stops the host calls (reads, waits) of a connection that dropped, instead of leaking them. */
import assert from 'node:assert/strict';
import { eventually, startRaw } from '../harness/raw-process.js';
import type { ConformanceCase } from '../harness/suite.js';

const STARTED_MS = 5_000;
const STOPPED_MS = 3_000;

export const droppedConnectionCases: ConformanceCase = (suite) => {
  suite.test('dropped connection: the server stops the host reads and waits of a connection that dropped', { needs: ['resume'], timeoutMs: 30_000 }, async (context) => {
    const observed = context.observedHost;
    if (observed === undefined) return context.skip('no observeHost() in setup()');
    const { transport } = context;
    const { processId } = await startRaw(transport, context.commands.sleep(60));
    transport.wait({ processId }).catch(() => {});
    transport.readOutput({ processId, fd: 1, offset: 0 })[Symbol.asyncIterator]().next().catch(() => {});
    // A server may serve both from one host call (gRPC's Exec reads output, then waits): any will do.
    const inFlight = () => observed.running('wait', processId) + observed.running('readOutput', processId);
    const reached = await eventually(() => inFlight() > 0, STARTED_MS);
    assert.ok(reached, `within ${STARTED_MS} ms the server called neither wait nor readOutput on the observed host: does it serve the transport kit.observeHost() returned?`);
    await context.interrupt();
    const stopped = await eventually(() => inFlight() === 0, STOPPED_MS);
    assert.ok(
      stopped,
      `${STOPPED_MS} ms after the connection dropped, the server still runs ${observed.running('readOutput', processId)} readOutput and ${observed.running('wait', processId)} wait on the host for it: abort a connection's host calls when it closes (give them CallOptions.signal from a per-connection AbortController)`,
    );
  });
};
