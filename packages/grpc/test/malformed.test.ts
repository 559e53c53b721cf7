import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { credentials, Metadata, makeGenericClientConstructor, type ServiceError, status } from '@grpc/grpc-js';
import { createClient } from '@procwire/core';
import { isProcwireError, type Transport } from '@procwire/core/transport';
import { procwireV1 } from '@procwire/grpc/generated';
import { type Stack, startStack } from './support/stack.js';

const token = 'malformed-token';
const rejectsWith = (promise: Promise<unknown>, code: string, pattern?: RegExp) =>
  assert.rejects(promise, (error) => {
    assert.ok(isProcwireError(error, code as never), `expected ${code}, got ${String(error)}`);
    if (pattern) assert.match((error as Error).message, pattern);
    return true;
  });

describe('malformed requests get clear errors and the server keeps serving', () => {
  let stack: Stack;
  let transport: Transport;
  let raw: InstanceType<typeof procwireV1.ProcwireClient>;
  const metadata = () => {
    const m = new Metadata();
    m.set('authorization', `Bearer ${token}`);
    return m;
  };
  const rawStart = (request: Partial<procwireV1.StartRequest>) =>
    new Promise<ServiceError | null>((resolve) => {
      raw.start(
        { processId: 'raw', argv: ['true'], cwd: '', env: {}, envUnset: [], stdout: 0, stderr: 0, timeoutMs: 0, ...request },
        metadata(),
        (error) => resolve(error),
      );
    });

  before(async () => {
    stack = await startStack({
      tokens: { [token]: 'erin' },
      limits: { maxMessageBytes: 1024 * 1024, maxStreamsPerPrincipal: 2 },
    });
    transport = stack.transport({ token });
    raw = new procwireV1.ProcwireClient(stack.address, credentials.createInsecure());
  });
  after(async () => {
    raw.close();
    await stack.close();
  });

  test('offsets outside what the host has are out_of_range', async () => {
    const info = await transport.start({ processId: 'offsets', argv: ['sh', '-c', 'printf abc; read x'], stdout: 'pipe', stderr: 'pipe' });
    const chunks: Uint8Array[] = [];
    for await (const chunk of transport.readOutput({ processId: info.processId, fd: 1, offset: 0 })) {
      chunks.push(chunk.data);
      if (chunks.reduce((sum, c) => sum + c.byteLength, 0) >= 3) break;
    }
    const reading = async () => {
      for await (const _chunk of transport.readOutput({ processId: 'offsets', fd: 1, offset: 1000 })) break;
    };
    await rejectsWith(reading(), 'out_of_range');
    await rejectsWith(transport.ackOutput({ processId: 'offsets', fd: 1, offset: 1000 }), 'out_of_range');
    await rejectsWith(
      transport.writeInput({ processId: 'offsets', offset: 50, data: new Uint8Array([1]), eof: false }),
      'out_of_range',
    );
    await transport.writeInput({ processId: 'offsets', offset: 0, data: new TextEncoder().encode('x\n'), eof: true });
    assert.equal((await transport.wait({ processId: 'offsets' })).code, 0);
  });

  test('unknown ids are not_found; malformed ids, fds, signals and sizes are invalid_argument', async () => {
    await rejectsWith(transport.get({ processId: 'no-such-process' }), 'not_found', /no-such-process/);
    await rejectsWith(transport.wait({ processId: 'no-such-process' }), 'not_found');
    await rejectsWith(transport.get({ processId: 'bad id!' }), 'invalid_argument', /process id/);
    await rejectsWith(transport.start({ processId: 'empty', argv: [], stdout: 'pipe', stderr: 'pipe' }), 'invalid_argument', /argv/);
    const reading = async () => {
      for await (const _chunk of transport.readOutput({ processId: 'offsets', fd: 3 as 1, offset: 0 })) break;
    };
    await rejectsWith(reading(), 'invalid_argument', /fd/);
    await rejectsWith(transport.signal({ processId: 'offsets', signal: 'KILL' as 'SIGKILL' }), 'invalid_argument', /signal/);
    await rejectsWith(transport.resize({ processId: 'offsets', size: { cols: 0, rows: 24 } }), 'invalid_argument', /cols/);
    await rejectsWith(
      transport.start({ processId: 'no-cmd', argv: ['/no/such/command'], stdout: 'pipe', stderr: 'pipe' }),
      'not_found',
      /no\/such\/command/,
    );
  });

  test('protobuf-level nonsense from a raw client is invalid_argument', async () => {
    const both = await rawStart({ env: { HOME: '/x' }, envUnset: ['HOME'] });
    assert.equal(both?.code, status.INVALID_ARGUMENT);
    assert.match(both?.details ?? '', /both set and unset/);
    const badMode = await rawStart({ stdout: 7 as procwireV1.OutputMode });
    assert.equal(badMode?.code, status.INVALID_ARGUMENT);
    assert.match(badMode?.details ?? '', /output mode/);
  });

  test('a message over the size limit is resource_exhausted; other writes in flight are not', async () => {
    await transport.start({ processId: 'big', argv: ['cat'], stdout: 'devnull', stderr: 'pipe' });
    // A write that stays in flight on the stdin stream for a while: its process reads after a second.
    await transport.start({ processId: 'later', argv: ['sh', '-c', 'sleep 1; cat'], stdout: 'devnull', stderr: 'pipe' });
    const innocent = transport.writeInput({ processId: 'later', offset: 0, data: new Uint8Array(512 * 1024), eof: true });
    await rejectsWith(
      transport.writeInput({ processId: 'big', offset: 0, data: new Uint8Array(2 * 1024 * 1024), eof: false }),
      'resource_exhausted',
    );
    assert.deepEqual(await innocent, { offset: 512 * 1024, eof: true });
    const accepted = await transport.writeInput({ processId: 'big', offset: 0, data: new Uint8Array(1000), eof: true });
    assert.deepEqual(accepted, { offset: 1000, eof: true });
    // Both end, so their Exec calls do not count against the next test's stream limit.
    assert.equal((await transport.wait({ processId: 'later' })).code, 0);
    assert.equal((await transport.wait({ processId: 'big' })).code, 0);
  });

  test('long-lived calls past the per-principal limit are resource_exhausted', async () => {
    // Started by unary Start: grpcTransport's own start would hold an Exec call, and serve its waits from it.
    assert.equal(await rawStart({ processId: 'sleeper', argv: ['sleep', '30'] }), null);
    const controller = new AbortController();
    const waits = [0, 1].map(() =>
      transport.wait({ processId: 'sleeper' }, { signal: controller.signal }).catch((error: unknown) => error),
    );
    // The limit counts calls the server has begun; give it time to see both.
    let third: unknown;
    for (let attempt = 0; attempt < 50 && third === undefined; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      third = await transport.poll({ processId: 'sleeper' }).then(() =>
        transport.wait({ processId: 'sleeper' }, { signal: AbortSignal.timeout(2000) }).catch((error: unknown) =>
          isProcwireError(error, 'resource_exhausted') ? error : undefined,
        ),
      );
    }
    assert.ok(isProcwireError(third, 'resource_exhausted'), `third wait: ${String(third)}`);
    // The stdin stream (WriteInputCalls) has a count of its own: input still gets through.
    const written = await transport.writeInput({ processId: 'sleeper', offset: 0, data: new Uint8Array([1]), eof: false });
    assert.deepEqual(written, { offset: 1, eof: false });
    controller.abort();
    for (const outcome of await Promise.all(waits)) assert.ok(isProcwireError(outcome, 'aborted'), String(outcome));
    await transport.signal({ processId: 'sleeper', signal: 'SIGKILL' });
    assert.equal((await transport.wait({ processId: 'sleeper' })).code, 137);
  });

  test('garbage bytes on the port are dropped and other clients are still served', async () => {
    const [host, port] = [stack.address.split(':')[0]!, Number(stack.address.split(':')[1])];
    for (const garbage of [
      Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'),
      Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\u0000\u0000\u0004\u0001\u0000\u0000\u0000\u0000\u0000garbage-after-preface'),
      Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)),
    ]) {
      await new Promise<void>((resolve) => {
        const socket = connect(port, host, () => socket.end(garbage));
        socket.on('error', () => resolve());
        socket.on('close', () => resolve());
        socket.resume();
        socket.setTimeout(5000, () => socket.destroy());
      });
    }
    const client = createClient(stack.transport({ token }));
    const p = await client.exec(['echo', 'still serving']);
    assert.equal(await p.stdout.read(), 'still serving\n');
  });
});

describe('requests that are not valid protobuf', () => {
  let stack: Stack;
  let bytesClient: InstanceType<ReturnType<typeof makeGenericClientConstructor>>;
  const identity = (value: Buffer) => value;
  const send = (method: string, body: Buffer) =>
    new Promise<ServiceError | null>((resolve) => {
      const metadata = new Metadata();
      metadata.set('authorization', `Bearer ${token}`);
      bytesClient.makeUnaryRequest(`/procwire.v1.Procwire/${method}`, identity, identity, body, metadata, (error) =>
        resolve(error),
      );
    });
  before(async () => {
    stack = await startStack({ tokens: { [token]: 'erin' } });
    bytesClient = new (makeGenericClientConstructor({}, 'Bytes'))(stack.address, credentials.createInsecure());
  });
  after(async () => {
    bytesClient.close();
    await stack.close();
  });

  test('truncated protobuf and an offset above 2^53 are invalid_argument naming the problem', async () => {
    const truncated = await send('Get', Buffer.from([0x0a, 0x7f, 0x61]));
    assert.equal(truncated?.code, status.INVALID_ARGUMENT);
    assert.match(truncated?.details ?? '', /could not be decoded/);
    // WriteInput { process_id: "x", offset: 2^60 }
    const huge = Buffer.from([0x0a, 0x01, 0x78, 0x10, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10]);
    const tooFar = await send('WriteInput', huge);
    assert.equal(tooFar?.code, status.INVALID_ARGUMENT);
    assert.match(tooFar?.details ?? '', /offset/);
    const client = createClient(stack.transport({ token }));
    const p = await client.exec(['echo', 'fine']);
    assert.equal(await p.stdout.read(), 'fine\n');
  });
});
