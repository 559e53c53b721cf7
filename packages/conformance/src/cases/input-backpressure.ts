/**
 * `writeInput` resolves only once the host accepted the bytes: the offset it answers is one the
 * host already has, and a stdin nobody reads holds the writer back instead of filling memory.
 */
import assert from 'node:assert/strict';
import { describeOutcome, settlement, startRaw } from '../harness/raw-process.js';
import type { ConformanceCase } from '../harness/suite.js';

const PIECE = new Uint8Array(64 * 1024);
/** A write still pending after this long is held back by the host. */
const BLOCKED_MS = 1_000;
/** ...and after this much more, surely blocked. */
const SURELY_BLOCKED_MS = 3_000;
/** More than any host buffers for a stdin nobody reads (pipe plus bounded input buffer). */
const MAX_UNREAD_INPUT = 16 * 1024 * 1024;

export const inputBackpressureCases: ConformanceCase = (suite) => {
  suite.test('stdin backpressure: writeInput answers only what the host accepted, and an unread stdin blocks the writer', { timeoutMs: 60_000 }, async (context) => {
    const { transport } = context;
    const { processId } = await startRaw(transport, context.commands.sleep(60));
    for (let offset = 0; offset < MAX_UNREAD_INPUT; ) {
      const controller = new AbortController();
      const write = transport.writeInput({ processId, offset, data: PIECE, eof: false }, { signal: controller.signal });
      let outcome = await settlement(write, BLOCKED_MS);
      // A slow answer (a loaded machine) is not a blocked one: give it a while longer to come.
      if (outcome.state === 'pending') outcome = await settlement(write, SURELY_BLOCKED_MS);
      if (outcome.state === 'pending') {
        controller.abort();
        return;
      }
      assert.equal(outcome.state, 'resolved', `writeInput at offset ${offset}: ${describeOutcome(outcome)}`);
      const answered = (outcome as { value: { offset: number } }).value.offset;
      assert.equal(answered, offset + PIECE.byteLength, `writeInput of ${PIECE.byteLength} bytes at ${offset} answered offset ${answered}`);
      const held = (await transport.get({ processId })).stdin.offset;
      assert.ok(
        held >= answered,
        `writeInput answered offset ${answered}, but the host has accepted only ${held} bytes: answer a write with the host's own writeInput result, after it resolved`,
      );
      offset = answered;
    }
    assert.fail(
      `writeInput took ${MAX_UNREAD_INPUT} bytes for a process that never reads its stdin and never blocked: stdin backpressure is lost. Resolve writeInput only once the host's writeInput resolved`,
    );
  });
};
