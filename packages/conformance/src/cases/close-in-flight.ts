/**
 * `close()` settles every call in flight: a client transport rejects them with `closed`; a host
 * transport, which kills its processes, may instead finish them as the process ends (a read at
 * EOF, a wait with the exit status). Later calls reject with `closed`. It runs last: it closes the
 * transport under test.
 */
import assert from 'node:assert/strict';
import { delay } from '../harness/delay.js';
import { describeOutcome, settlement, startRaw } from '../harness/raw-process.js';
import type { ConformanceCase } from '../harness/suite.js';

const CLOSE_MS = 10_000;
const SETTLE_MS = 3_000;

export const closeInFlightCases: ConformanceCase = (suite) => {
  suite.test('close: calls in flight settle, rejected with "closed", and later calls reject with "closed"', { timeoutMs: 30_000 }, async (context) => {
    const { transport } = context;
    const { processId } = await startRaw(transport, context.commands.sleep(60));
    const inFlight: Record<string, Promise<unknown>> = {
      'wait()': transport.wait({ processId }),
      readOutput: transport.readOutput({ processId, fd: 1, offset: 0 })[Symbol.asyncIterator]().next(),
    };
    for (const call of Object.values(inFlight)) call.catch(() => {});
    await delay(200, context.signal);
    const closing = await settlement(context.closeTransport(), CLOSE_MS);
    assert.equal(closing.state, 'resolved', `close() with calls in flight: ${describeOutcome(closing)} after ${CLOSE_MS} ms`);
    for (const [name, call] of Object.entries(inFlight)) {
      const outcome = await settlement(call, SETTLE_MS);
      const closed = outcome.state === 'rejected' && (outcome.error as { code?: unknown }).code === 'closed';
      const killed = outcome.state === 'resolved';
      assert.ok(
        closed || killed,
        `${name} in flight at close(): expected a "closed" rejection, but ${describeOutcome(outcome)} ${SETTLE_MS} ms after close() resolved. close() must end every call in flight (a client transport: with ProcwireError "closed")`,
      );
    }
    const later = await settlement(transport.list(), SETTLE_MS);
    assert.ok(
      later.state === 'rejected' && (later.error as { code?: unknown }).code === 'closed',
      `list() after close(): expected a "closed" rejection, but ${describeOutcome(later)}`,
    );
  });
};
