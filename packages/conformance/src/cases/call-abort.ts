/**
 * `CallOptions.signal` abandons a call that blocks (a read with no output, a wait on a running
 * process, a write to a stdin nobody reads): it rejects with `aborted` and the process runs on.
 */
import assert from 'node:assert/strict';
import type { CallOptions, Transport } from '@procwire/core/transport';
import { assertRejectedWith, describeOutcome, settlement, startRaw } from '../harness/raw-process.js';
import type { ConformanceCase } from '../harness/suite.js';

const FIX = 'Pass CallOptions.signal on to the call (a network transport cancels its request) and reject with ProcwireError "aborted".';
/** How long an aborted call may take to reject. */
const ABORT_MS = 2_000;
/** A write still pending after this long is blocked by backpressure. */
const BLOCKED_MS = 500;
/** Bytes written to a stdin nobody reads before the case gives up waiting for backpressure. */
const MAX_UNREAD_INPUT = 16 * 1024 * 1024;
const PIECE = new Uint8Array(64 * 1024);

type BlockingCall = (options: CallOptions) => Promise<unknown>;

/** Starts `call`, checks it blocks, aborts its signal and expects `aborted`. */
async function expectAbortable(what: string, call: BlockingCall): Promise<void> {
  const controller = new AbortController();
  const pending = call({ signal: controller.signal });
  const before = await settlement(pending, 300);
  assert.equal(before.state, 'pending', `${what} should block, but ${describeOutcome(before)}`);
  controller.abort();
  assertRejectedWith(await settlement(pending, ABORT_MS), 'aborted', `${what}, ${ABORT_MS} ms after its signal was aborted`, FIX);
}

/** Writes to stdin until a write stays pending; returns the offset it blocked at. */
async function fillUnreadStdin(transport: Transport, processId: string): Promise<number> {
  for (let offset = 0; offset < MAX_UNREAD_INPUT; ) {
    const controller = new AbortController();
    const write = transport.writeInput({ processId, offset, data: PIECE, eof: false }, { signal: controller.signal });
    const outcome = await settlement(write, BLOCKED_MS);
    if (outcome.state === 'pending') {
      controller.abort();
      await settlement(write, ABORT_MS);
      return (await transport.get({ processId })).stdin.offset;
    }
    assert.equal(outcome.state, 'resolved', `writeInput at offset ${offset}: ${describeOutcome(outcome)}`);
    offset = (outcome as { value: { offset: number } }).value.offset;
  }
  assert.fail(`writeInput took ${MAX_UNREAD_INPUT} bytes for a process that never reads its stdin: no write ever blocked`);
}

export const callAbortCases: ConformanceCase = (suite) => {
  suite.test('call abort: CallOptions.signal abandons a blocked readOutput, wait and writeInput with "aborted"', { timeoutMs: 30_000 }, async (context) => {
    const { transport } = context;
    const { processId } = await startRaw(transport, context.commands.sleep(60));
    await expectAbortable('readOutput of a silent stdout', (options) =>
      transport.readOutput({ processId, fd: 1, offset: 0 }, options)[Symbol.asyncIterator]().next(),
    );
    await expectAbortable('wait() of a running process', (options) => transport.wait({ processId }, options));
    const offset = await fillUnreadStdin(transport, processId);
    await expectAbortable('writeInput to a stdin nobody reads', (options) =>
      transport.writeInput({ processId, offset, data: PIECE, eof: false }, options),
    );
    assert.equal(await transport.poll({ processId }), null, 'aborting calls ended the process; a call signal abandons the call only');
  });

  suite.test('call abort: a call whose signal is already aborted rejects with "aborted"', { timeoutMs: 20_000 }, async (context) => {
    const { transport } = context;
    const { processId } = await startRaw(transport, context.commands.sleep(60));
    const signal = AbortSignal.abort();
    const calls: ReadonlyArray<readonly [string, () => Promise<unknown>]> = [
      ['readOutput', () => transport.readOutput({ processId, fd: 1, offset: 0 }, { signal })[Symbol.asyncIterator]().next()],
      ['wait', () => transport.wait({ processId }, { signal })],
      ['writeInput', () => transport.writeInput({ processId, offset: 0, data: PIECE, eof: false }, { signal })],
    ];
    for (const [name, call] of calls) {
      assertRejectedWith(await settlement(call(), ABORT_MS), 'aborted', `${name} with an aborted signal`, FIX);
    }
  });
};
