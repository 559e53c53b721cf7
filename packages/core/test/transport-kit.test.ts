// The pieces of @procwire/core/transport for network transports, against core's memory host:
// errors over JSON, and the front's token, checks, principals and bounds.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode, memoryTransport, ProcwireError } from '@procwire/core';
import {
  createTransportFront,
  decodeWireError,
  encodeWireError,
  type FrontConnection,
  type FrontReply,
} from '@procwire/core/transport';

const programs = {
  hello: async (process: { stdout: { write(text: string): Promise<void> } }) => {
    await process.stdout.write('hello\n');
    return 0;
  },
  idle: async ({ killed }: { killed: AbortSignal }) => {
    await new Promise((resolve) => killed.addEventListener('abort', resolve, { once: true }));
    return 0;
  },
};

/** A front connection whose replies are collected; `call` sends one message and awaits its last reply. */
function connectTo(front: ReturnType<typeof createTransportFront>, token?: string) {
  const replies: FrontReply[] = [];
  const waiters = new Map<number, (reply: FrontReply) => void>();
  const connection: FrontConnection = front.connect(token, (reply) => {
    replies.push(reply);
    if (reply.chunk === undefined) waiters.get(reply.id)?.(reply);
  });
  let nextId = 1;
  const call = (message: Record<string, unknown>): Promise<FrontReply> => {
    const id = nextId++;
    const answered = new Promise<FrontReply>((resolve) => waiters.set(id, resolve));
    connection.receive({ id, ...message });
    return answered;
  };
  return { connection, call, replies };
}

describe('the transport kit', { timeout: 30_000 }, () => {
  it('an error crosses JSON with its code, message and details; junk becomes a named "internal"', () => {
    const error = new ProcwireError(ErrorCode.NotFound, 'command not found: "nope"', { argv: ['nope', 'x'], processId: 'p1', exitCode: 3 });
    const back = decodeWireError(JSON.parse(JSON.stringify(encodeWireError(error))));
    assert.deepEqual([back.code, back.message, back.argv, back.processId, back.exitCode], [error.code, error.message, ['nope', 'x'], 'p1', 3]);
    assert.equal(encodeWireError(new Error('boom')).code, ErrorCode.Internal);
    const junk = decodeWireError({ code: 'exploded', message: 'm' });
    assert.equal(junk.code, ErrorCode.Internal);
    assert.match(junk.message, /unknown code "exploded"/);
    assert.equal(decodeWireError('text').code, ErrorCode.Internal);
  });

  it('the front refuses a wrong token and keeps each principal to its own processes', async () => {
    const host = memoryTransport({ programs });
    const front = createTransportFront(host, { tokens: { 'alice-token': 'alice', 'bob-token': 'bob' } });
    assert.throws(() => front.connect('wrong', () => {}), (error) => error instanceof ProcwireError && error.code === ErrorCode.Unauthenticated);
    assert.throws(() => front.connect(undefined, () => {}), (error) => error instanceof ProcwireError && error.code === ErrorCode.Unauthenticated);
    const alice = connectTo(front, 'alice-token');
    const bob = connectTo(front, 'bob-token');
    assert.equal(alice.connection.principal, 'alice');
    const started = await alice.call({ method: 'start', request: { processId: 'p', argv: ['hello'], stdout: 'pipe', stderr: 'pipe' } });
    assert.equal((started.result as { processId: string }).processId, 'p');
    assert.equal((await bob.call({ method: 'get', request: { processId: 'p' } })).error?.code, ErrorCode.NotFound);
    assert.deepEqual((await alice.call({ method: 'wait', request: { processId: 'p' } })).result, { code: 0 });
    await host.close();
  });

  it('the front answers malformed messages with invalid_argument and goes on serving', async () => {
    const host = memoryTransport({ programs });
    const { call, connection, replies } = connectTo(createTransportFront(host));
    connection.receive('not an object');
    assert.equal(replies.at(-1)?.error?.code, ErrorCode.InvalidArgument);
    assert.match((await call({ method: 'explode', request: {} })).error?.message ?? '', /unknown method "explode"/);
    assert.equal((await call({ method: 'get' })).error?.code, ErrorCode.InvalidArgument);
    const write = await call({ method: 'writeInput', request: { processId: 'p', offset: 0, data: 'text', eof: false } });
    assert.match(write.error?.message ?? '', /data must be bytes/);
    assert.equal((await call({ method: 'start', request: { processId: 'p', argv: [], stdout: 'pipe', stderr: 'pipe' } })).error?.code, ErrorCode.InvalidArgument);
    assert.deepEqual((await call({ method: 'list' })).result, []);
    await host.close();
  });

  it('the front answers a cancel with aborted, refuses a reused call id (cancelling both), and goes on', async () => {
    const host = memoryTransport({ programs });
    const { call, connection, replies } = connectTo(createTransportFront(host));
    await call({ method: 'start', request: { processId: 'idle', argv: ['idle'], stdout: 'pipe', stderr: 'pipe' } });
    connection.receive({ id: 50, method: 'wait', request: { processId: 'idle' } });
    connection.receive({ id: 50, cancel: true });
    connection.receive({ id: 51, method: 'wait', request: { processId: 'idle' } });
    connection.receive({ id: 51, method: 'wait', request: { processId: 'idle' } });
    connection.receive({ id: 52, cancel: true });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const answers = (id: number) => replies.filter((reply) => reply.id === id).map((reply) => [reply.error?.code, reply.error?.message]);
    assert.deepEqual(answers(50), [[ErrorCode.Aborted, 'cancelled by the client']]);
    assert.deepEqual(answers(51), [[ErrorCode.InvalidArgument, 'call id 51 is already in flight: both calls are cancelled']]);
    assert.deepEqual(answers(52), [[ErrorCode.NotFound, 'no call in flight with call id 52']]);
    assert.equal((await call({ method: 'poll', request: { processId: 'idle' } })).result, null);
    await host.close();
  });

  it('the front bounds the calls in flight on one connection, and sends nothing once it is closed', async () => {
    const host = memoryTransport({ programs });
    const front = createTransportFront(host, { maxCallsPerConnection: 2 });
    const { call, connection } = connectTo(front);
    await call({ method: 'start', request: { processId: 'idle', argv: ['idle'], stdout: 'pipe', stderr: 'pipe' } });
    const waits = [call({ method: 'wait', request: { processId: 'idle' } }), call({ method: 'wait', request: { processId: 'idle' } })];
    const third = await call({ method: 'wait', request: { processId: 'idle' } });
    assert.equal(third.error?.code, ErrorCode.ResourceExhausted);
    assert.match(third.error?.message ?? '', /the limit is 2/);
    connection.close();
    // The process runs on for another connection; the closed one's waits are never answered.
    const other = connectTo(front);
    assert.equal((await other.call({ method: 'poll', request: { processId: 'idle' } })).result, null);
    await host.close();
    assert.equal(await Promise.race([Promise.all(waits).then(() => 'answered'), new Promise((resolve) => setTimeout(() => resolve('silent'), 200))]), 'silent');
  });
});
