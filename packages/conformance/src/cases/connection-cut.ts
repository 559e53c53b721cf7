/** A cut connection fails the calls in flight with `unavailable` (the code core retries), and the next calls work. */
import type { Transport } from '@procwire/core/transport';
import { isProcwireError } from '@procwire/core';
import { assertRejectedWith, settlement, startRaw } from '../harness/raw-process.js';
import type { ConformanceCase } from '../harness/suite.js';
import { delay } from '../harness/delay.js';

const CUT_MS = 5_000;
const FIX =
  'A dropped connection must reject every call in flight with ProcwireError "unavailable", the only code core retries (resume depends on it): map your socket\'s close and error events to it.';

/** `poll()` once the transport reconnected: `unavailable` answers are retried for a while. */
async function pollAfterCut(transport: Transport, processId: string): Promise<unknown> {
  for (const deadline = Date.now() + CUT_MS; ; await delay(100)) {
    try {
      return await transport.poll({ processId });
    } catch (error) {
      if (!isProcwireError(error, 'unavailable') || Date.now() > deadline) throw error;
    }
  }
}

export const connectionCutCases: ConformanceCase = (suite) => {
  suite.test('connection cut: calls in flight reject with "unavailable", and later calls succeed', { needs: ['resume'], timeoutMs: 30_000 }, async (context) => {
    const { transport } = context;
    const { processId } = await startRaw(transport, context.commands.sleep(60));
    const waiting = transport.wait({ processId });
    const reading = transport.readOutput({ processId, fd: 1, offset: 0 })[Symbol.asyncIterator]().next();
    waiting.catch(() => {});
    reading.catch(() => {});
    await delay(200, context.signal);
    await context.interrupt();
    assertRejectedWith(await settlement(waiting, CUT_MS), 'unavailable', 'wait() in flight when the connection was cut', FIX);
    assertRejectedWith(await settlement(reading, CUT_MS), 'unavailable', 'readOutput in flight when the connection was cut', FIX);
    const status = await pollAfterCut(transport, processId);
    if (status !== null) throw new Error(`poll() after the cut answered ${JSON.stringify(status)} for a process that still runs`);
  });
};
