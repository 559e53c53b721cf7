/**
 * A Start (or Exec) whose env has more entries than `maxEnvEntries` is refused with
 * RESOURCE_EXHAUSTED before it is decoded: counted in the encoded bytes, so a request of many tiny
 * entries costs the server no decoding.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { credentials, makeGenericClientConstructor, Metadata, type ServiceError, status } from '@grpc/grpc-js';
import { createClient } from '@procwire/core';
import { isProcwireError } from '@procwire/core/transport';
import { procwireV1 } from '@procwire/grpc/generated';
import { type Stack, startStack } from './support/stack.js';

const token = 'env-entries-token';
const limit = 100;

function envOf(count: number): Record<string, string> {
  return Object.fromEntries(Array.from({ length: count }, (_, index) => [`PW_E${index}`, 'x']));
}

function startRequest(processId: string, env: Record<string, string>): procwireV1.StartRequest {
  return { processId, argv: ['sh', '-c', 'env | grep -c ^PW_E'], cwd: '', env, envUnset: [], stdout: 0, stderr: 0, timeoutMs: 0 };
}

describe('env entries are counted before a Start is decoded', () => {
  let stack: Stack;
  let bytesClient: InstanceType<ReturnType<typeof makeGenericClientConstructor>>;
  let raw: InstanceType<typeof procwireV1.ProcwireClient>;
  const metadata = () => {
    const value = new Metadata();
    value.set('authorization', `Bearer ${token}`);
    return value;
  };
  const identity = (value: Buffer) => value;
  const sendBytes = (method: string, body: Buffer) =>
    new Promise<ServiceError | null>((resolve) => {
      bytesClient.makeUnaryRequest(`/procwire.v1.Procwire/${method}`, identity, identity, body, metadata(), (error) =>
        resolve(error),
      );
    });

  before(async () => {
    stack = await startStack({ tokens: { [token]: 'erin' }, limits: { maxEnvEntries: limit } });
    bytesClient = new (makeGenericClientConstructor({}, 'Bytes'))(stack.address, credentials.createInsecure());
    raw = new procwireV1.ProcwireClient(stack.address, credentials.createInsecure());
  });
  after(async () => {
    bytesClient.close();
    raw.close();
    await stack.close();
  });

  test('an env at the limit starts, with every entry; one more is resource_exhausted naming the limit', async () => {
    const client = createClient(stack.transport({ token }));
    const atLimit = await client.exec(['sh', '-c', 'env | grep -c ^PW_E'], { env: envOf(limit) });
    assert.equal(await atLimit.stdout.read(), `${limit}\n`);
    await assert.rejects(client.exec(['true'], { env: envOf(limit + 1) }), (error) => {
      assert.ok(isProcwireError(error, 'resource_exhausted'), String(error));
      assert.equal(error.message, `env has ${limit + 1} entries, over the limit of ${limit} entries`);
      return true;
    });
  });

  test('the count comes before decoding: entries followed by garbage are resource_exhausted, not undecodable', async () => {
    const encoded = Buffer.from(procwireV1.StartRequest.encode(startRequest('garbage', envOf(limit + 50))).finish());
    // A length-delimited field that claims more bytes than follow: the decoder would fail on it.
    const truncated = Buffer.concat([encoded, Buffer.from([0x1a, 0x7f, 0x61])]);
    const refused = await sendBytes('Start', truncated);
    assert.equal(refused?.code, status.RESOURCE_EXHAUSTED);
    assert.match(refused?.details ?? '', new RegExp(`env has ${limit + 50} entries, over the limit of ${limit} entries`));
    // Within the limit, the same garbage is what the server reports.
    const small = Buffer.from(procwireV1.StartRequest.encode(startRequest('garbage', envOf(3))).finish());
    const undecodable = await sendBytes('Start', Buffer.concat([small, Buffer.from([0x1a, 0x7f, 0x61])]));
    assert.equal(undecodable?.code, status.INVALID_ARGUMENT);
    assert.match(undecodable?.details ?? '', /could not be decoded/);
  });

  test('Exec counts the entries of its start the same way, and the server goes on serving', async () => {
    const call = raw.exec(metadata());
    const ended = new Promise<ServiceError | undefined>((resolve) => {
      call.on('error', (error: ServiceError) => resolve(error));
      call.on('end', () => resolve(undefined));
      call.on('data', () => {});
    });
    call.write({ start: { start: startRequest('exec-many', envOf(limit + 1)), stdoutOffset: 0, stderrOffset: 0 } });
    const error = await ended;
    call.end();
    assert.equal(error?.code, status.RESOURCE_EXHAUSTED);
    assert.match(error?.details ?? '', /env has 101 entries, over the limit of 100 entries/);
    const client = createClient(stack.transport({ token }));
    const fine = await client.exec(['echo', 'still serving']);
    assert.equal(await fine.stdout.read(), 'still serving\n');
  });
});
