import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import {
  type ClientDuplexStream,
  credentials,
  Metadata,
  makeGenericClientConstructor,
  type ServiceError,
  status,
} from '@grpc/grpc-js';
import { createClient } from '@procwire/core';
import { procwireV1 } from '@procwire/grpc/generated';
import { type Stack, startStack } from './support/stack.js';

const tokens = { 'carol-token-0123456789': 'carol', 'dan-token-9876543210': 'dan' };
type Results = ClientDuplexStream<procwireV1.InputCall, procwireV1.InputCallResult>;

/** Collects the results of a raw WriteInputCalls call by call id, and how the call ended. */
class ResultLog {
  private readonly results = new Map<number, procwireV1.InputCallResult>();
  private readonly waiters = new Map<number, (result: procwireV1.InputCallResult) => void>();
  readonly ended: Promise<ServiceError | null>;

  constructor(readonly call: Results) {
    call.on('data', (result: procwireV1.InputCallResult) => {
      this.results.set(result.callId, result);
      this.waiters.get(result.callId)?.(result);
    });
    this.ended = new Promise((resolve) => {
      call.on('error', (error: ServiceError) => resolve(error));
      call.on('status', (final: { code: status }) => {
        if (final.code === status.OK) resolve(null);
      });
    });
  }

  send(callId: number, write: Partial<procwireV1.WriteInputRequest>): void {
    this.call.write({ callId, write: { processId: '', offset: 0, data: Buffer.alloc(0), eof: false, ...write } });
  }

  /** The result of `callId`; rejects if the call ends without it. */
  result(callId: number): Promise<procwireV1.InputCallResult> {
    const known = this.results.get(callId);
    if (known !== undefined) return Promise.resolve(known);
    const result = new Promise<procwireV1.InputCallResult>((resolve) => this.waiters.set(callId, resolve));
    const ended = this.ended.then((error) => {
      throw new Error(`the call ended (${error?.details ?? 'OK'}) without a result for ${callId}`);
    });
    return Promise.race([result, ended]);
  }

  has(callId: number): boolean {
    return this.results.has(callId);
  }
}

describe('WriteInputCalls: many writes on one bidirectional call', () => {
  let stack: Stack;
  let raw: InstanceType<typeof procwireV1.ProcwireClient>;
  const metadata = (token: string) => {
    const m = new Metadata();
    m.set('authorization', `Bearer ${token}`);
    return m;
  };
  const open = (token: string) => new ResultLog(raw.writeInputCalls(metadata(token)));

  before(async () => {
    stack = await startStack({ tokens, proxy: true });
    // Straight to the server (not through the proxy), with the generated codecs any client has.
    raw = new procwireV1.ProcwireClient(stack.server.address, credentials.createInsecure());
  });
  after(async () => {
    raw.close();
    await stack.close();
  });

  test('a bad write gets its own error (unknown id, gap, another principal) and the call keeps serving', async () => {
    const carol = createClient(stack.transport({ token: 'carol-token-0123456789' }));
    const dan = createClient(stack.transport({ token: 'dan-token-9876543210' }));
    const p = await carol.exec(['cat'], { text: false });
    const dans = await dan.exec(['sleep', '30']);
    const log = open('carol-token-0123456789');

    log.send(1, { processId: 'no-such-process', data: Buffer.from('x') });
    log.send(2, { processId: p.id, offset: 5, data: Buffer.from('gap') });
    log.send(3, { processId: dans.id, data: Buffer.from('not yours') });
    log.send(4, { processId: 'bad id!', data: Buffer.from('x') });
    log.send(5, { processId: p.id, offset: 0, data: Buffer.from('hello ') });
    log.send(6, { processId: p.id, offset: 3, data: Buffer.from('lo world') }); // overlaps: trimmed
    log.send(7, { processId: p.id, offset: 11, eof: true });

    const unknown = await log.result(1);
    assert.equal(unknown.error?.code, status.NOT_FOUND);
    assert.equal(unknown.error?.procwireCode, 'not_found');
    assert.match(unknown.error?.message ?? '', /no-such-process/);
    const gap = await log.result(2);
    assert.equal(gap.error?.code, status.OUT_OF_RANGE);
    assert.equal(gap.error?.procwireCode, 'out_of_range');
    const others = await log.result(3);
    assert.equal(others.error?.procwireCode, 'not_found', "dan's process is not found for carol");
    assert.equal((await log.result(4)).error?.procwireCode, 'invalid_argument');
    assert.deepEqual((await log.result(5)).response, { offset: 6, eof: false });
    assert.deepEqual((await log.result(6)).response, { offset: 11, eof: false });
    assert.deepEqual((await log.result(7)).response, { offset: 11, eof: true });
    log.call.end();
    assert.equal(await log.ended, null, 'the call ends with OK once every write is answered');

    assert.equal(Buffer.from(await p.stdout.read()).toString(), 'hello world');
    assert.equal(await p.wait(), 0);
    await dans.kill('SIGKILL');
    assert.equal(await dans.wait(), 137);
  });

  test('a write waiting on a process that does not read holds up no other process', async () => {
    const carol = createClient(stack.transport({ token: 'carol-token-0123456789' }));
    const stuck = await carol.exec(['sleep', '30']);
    const echo = await carol.exec(['cat']);
    const log = open('carol-token-0123456789');
    // 2 MiB into a process that never reads: far more than the pipe and the host take.
    log.send(1, { processId: stuck.id, data: Buffer.alloc(2 * 1024 * 1024, 0x61) });
    log.send(2, { processId: echo.id, data: Buffer.from('through\n'), eof: true });
    assert.deepEqual((await log.result(2)).response, { offset: 8, eof: true });
    assert.equal(log.has(1), false, 'the stuck write is still unanswered');
    assert.equal(await echo.stdout.read(), 'through\n');
    log.call.cancel();
    await log.ended;
    await stuck.kill('SIGKILL');
    assert.equal(await stuck.wait(), 137);
  });

  for (const [label, token] of [
    ['a wrong token', 'carol-token-012345678X'],
    ['no token', undefined],
  ] as const) {
    test(`${label} ends the call with UNAUTHENTICATED before any write is applied`, async () => {
      const log = new ResultLog(raw.writeInputCalls(token === undefined ? new Metadata() : metadata(token)));
      log.send(1, { processId: 'anything', data: Buffer.from('x') });
      const ended = await log.ended;
      assert.equal(ended?.code, status.UNAUTHENTICATED);
      assert.equal(log.has(1), false);
    });
  }

  test('a message whose call id cannot be decoded ends the call with INVALID_ARGUMENT', async () => {
    const bytesClient = new (makeGenericClientConstructor({}, 'Bytes'))(stack.server.address, credentials.createInsecure());
    const identity = (value: Buffer) => value;
    const call = bytesClient.makeBidiStreamRequest(
      '/procwire.v1.Procwire/WriteInputCalls',
      identity,
      identity,
      metadata('carol-token-0123456789'),
    );
    const ended = new Promise<ServiceError>((resolve) => call.on('error', resolve));
    call.on('data', () => {});
    // InputCall { call_id: 2^60 }: above 2^53 - 1.
    call.write(Buffer.from([0x08, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10]));
    const error = await ended;
    assert.equal(error.code, status.INVALID_ARGUMENT);
    assert.match(error.details, /call_id/);
    bytesClient.close();
  });

  test('16 MiB of stdin with the connection cut while writes are in flight arrives byte for byte', { timeout: 120_000 }, async () => {
    const client = createClient(stack.transport({ token: 'carol-token-0123456789' }), { retryTimeoutMs: 60_000 });
    const input = randomBytes(16 * 1024 * 1024);
    const p = await client.exec(['sha256sum'], { text: false });
    let cuts = 0;
    for (let start = 0, n = 0; start < input.byteLength; start += 256 * 1024, n++) {
      p.stdin.write(input.subarray(start, start + 256 * 1024));
      // Cut right after the write went out on the stream, before its result came back.
      if (n % 5 === 4) cuts += stack.proxy!.cutAll() > 0 ? 1 : 0;
      await p.stdin.drain();
    }
    p.stdin.writeEof();
    await p.stdin.drain();
    const output = Buffer.from(await p.stdout.read()).toString();
    assert.equal(await p.wait(), 0);
    assert.equal(output.split(' ')[0], createHash('sha256').update(input).digest('hex'), 'sha256 of what the process read');
    assert.ok(cuts >= 10, `the connection was cut ${cuts} times`);
  });
});
