import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { credentials, type ServiceError, status } from '@grpc/grpc-js';
import { healthV1 } from '@procwire/grpc/generated';
import { type Stack, startStack } from './support/stack.js';

describe('grpc.health.v1.Health', () => {
  let stack: Stack;
  let health: InstanceType<typeof healthV1.HealthClient>;
  const check = (service: string) =>
    new Promise<{ error: ServiceError | null; status?: number }>((resolve) => {
      health.check({ service }, (error, response) => resolve({ error, status: response?.status }));
    });
  before(async () => {
    stack = await startStack({ tokens: { 'health-token': 'grace' } });
    health = new healthV1.HealthClient(stack.address, credentials.createInsecure());
  });
  after(async () => {
    health.close();
    await stack.close();
  });

  test('answers SERVING for the server and the Procwire service, without a token', async () => {
    assert.deepEqual(await check(''), { error: null, status: healthV1.HealthCheckResponse_ServingStatus.SERVING });
    assert.deepEqual(await check('procwire.v1.Procwire'), {
      error: null,
      status: healthV1.HealthCheckResponse_ServingStatus.SERVING,
    });
  });

  test('answers NOT_FOUND for an unknown service', async () => {
    const { error } = await check('no.such.Service');
    assert.equal(error?.code, status.NOT_FOUND);
  });

  test('Watch sends the status and NOT_SERVING when the server closes', async () => {
    const own = await startStack({});
    const client = new healthV1.HealthClient(own.address, credentials.createInsecure());
    const seen: number[] = [];
    const call = client.watch({ service: '' });
    const ended = new Promise<void>((resolve) => {
      call.on('data', (response: { status: number }) => {
        seen.push(response.status);
        if (seen.length === 1) void own.close();
      });
      call.on('end', resolve);
      call.on('error', () => resolve());
    });
    await ended;
    client.close();
    assert.deepEqual(seen.slice(0, 2), [
      healthV1.HealthCheckResponse_ServingStatus.SERVING,
      healthV1.HealthCheckResponse_ServingStatus.NOT_SERVING,
    ]);
  });
});

test('@procwire/grpc/client loads no server code', () => {
  const require = createRequire(import.meta.url);
  const entry = require.resolve('@procwire/grpc/client');
  const root = join(dirname(entry), '..');
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const match of readFileSync(file, 'utf8').matchAll(/from '(\.{1,2}\/[^']+)'/g)) {
      visit(join(dirname(file), match[1]!));
    }
  };
  visit(entry);
  const server = [...seen].filter((file) => file.startsWith(join(root, 'server')));
  assert.ok(seen.size > 3, 'followed the client’s imports');
  assert.deepEqual(server, []);
});
