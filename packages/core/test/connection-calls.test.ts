// A connection's calls against core's memory host: the bound, reused ids, cancel, and the host
// calls of a dropped connection aborted while its processes run on.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode, memoryTransport, ProcwireError } from '@procwire/core';
import { callTransport, ConnectionCalls } from '@procwire/core/transport';

const programs = {
  idle: async ({ killed }: { killed: AbortSignal }) => {
    await new Promise((resolve) => killed.addEventListener('abort', resolve, { once: true }));
    return 0;
  },
};

const isError = (code: ErrorCode, message: RegExp) => (error: unknown) =>
  error instanceof ProcwireError && error.code === code && message.test(error.message);

/** A wait on `processId` tracked as call `id`: its host call is aborted through the call's controller. */
function openWait(calls: ConnectionCalls, host: ReturnType<typeof memoryTransport>, id: number, processId = 'idle') {
  const call = { controller: new AbortController() };
  calls.open(id, call);
  const outcome = callTransport(host, 'wait', { processId }, { signal: call.controller.signal }).then(
    () => 'answered',
    (error: unknown) => error,
  );
  return { call, outcome };
}

async function idleHost() {
  const host = memoryTransport({ programs });
  await callTransport(host, 'start', { processId: 'idle', argv: ['idle'] }, {});
  return host;
}

describe('ConnectionCalls', { timeout: 30_000 }, () => {
  it('bounds the calls in flight with resource_exhausted naming the limit; a finished call frees its slot', async () => {
    const host = await idleHost();
    const calls = new ConnectionCalls(2);
    const first = openWait(calls, host, 1);
    openWait(calls, host, 2);
    assert.throws(() => calls.open(3, {}), isError(ErrorCode.ResourceExhausted, /too many calls in flight on this connection: the limit is 2/));
    assert.equal(calls.finish(1, first.call), true);
    assert.equal(calls.finish(1, first.call), false, 'a call is finished once');
    calls.open(3, {});
    assert.equal(calls.size, 2);
    calls.close();
    await host.close();
    assert.throws(() => new ConnectionCalls(0), isError(ErrorCode.InvalidArgument, /integer >= 1, got 0/));
  });

  it('a reused id cancels the call in flight: its host call is aborted and its answer must not be sent', async () => {
    const host = await idleHost();
    const calls = new ConnectionCalls(8);
    const first = openWait(calls, host, 5);
    assert.throws(() => calls.open(5, {}), isError(ErrorCode.InvalidArgument, /call id 5 is already in flight: both calls are cancelled/));
    assert.ok(isError(ErrorCode.InvalidArgument, /already in flight/)(await first.outcome), 'the host wait was aborted');
    assert.equal(calls.finish(5, first.call), false);
    assert.equal(calls.size, 0);
    assert.equal(await callTransport(host, 'poll', { processId: 'idle' }, {}), null, 'the process runs on');
    await host.close();
  });

  it('cancel aborts the host call and gives the aborted answer; an unknown id is not_found', async () => {
    const host = await idleHost();
    const calls = new ConnectionCalls(8);
    const wait = openWait(calls, host, 7);
    const answer = calls.cancel(7);
    assert.deepEqual([answer.code, answer.message], [ErrorCode.Aborted, 'cancelled by the client']);
    assert.ok(isError(ErrorCode.Aborted, /cancelled by the client/)(await wait.outcome));
    assert.equal(calls.finish(7, wait.call), false);
    assert.throws(() => calls.cancel(7), isError(ErrorCode.NotFound, /no call in flight with call id 7/));
    await host.close();
  });

  it('close() aborts every host call with unavailable and the dropped signal; later calls are refused', async () => {
    const host = await idleHost();
    const calls = new ConnectionCalls(8);
    const waits = [openWait(calls, host, 1), openWait(calls, host, 2)];
    // A call without its own controller (a quick, frequent one) listens to `dropped` instead.
    calls.open(3, {});
    const shared = callTransport(host, 'wait', { processId: 'idle' }, { signal: calls.dropped }).catch((error: unknown) => error);
    calls.close();
    calls.close();
    for (const wait of waits) assert.ok(isError(ErrorCode.Unavailable, /the connection was closed/)(await wait.outcome));
    assert.ok(isError(ErrorCode.Unavailable, /the connection was closed/)(await shared));
    assert.equal(calls.closed, true);
    assert.equal(calls.size, 0);
    assert.throws(() => calls.open(4, {}), isError(ErrorCode.Unavailable, /closed/));
    assert.equal(await callTransport(host, 'poll', { processId: 'idle' }, {}), null, 'the process runs on for other connections');
    await host.close();
  });
});
