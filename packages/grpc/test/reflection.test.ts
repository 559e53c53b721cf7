import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { credentials, loadPackageDefinition, type ClientDuplexStream, type ServiceClientConstructor } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { type Stack, startStack } from './support/stack.js';

// The reflection client a tool such as grpcurl uses, from the reflection .proto (no procwire .proto).
const reflectionProto = join(
  dirname(createRequire(import.meta.url).resolve('@grpc/reflection')),
  '..',
  'proto',
  'grpc',
  'reflection',
  'v1',
  'reflection.proto',
);

interface ReflectionResponse {
  listServicesResponse?: { service: { name: string }[] };
  fileDescriptorResponse?: { fileDescriptorProto: Buffer[] };
  errorResponse?: { errorCode: number; errorMessage: string };
}

function ask(address: string, request: Record<string, string>): Promise<ReflectionResponse> {
  const definition = loadPackageDefinition(loadSync(reflectionProto, { keepCase: false }));
  const reflection = (definition as unknown as { grpc: { reflection: { v1: { ServerReflection: ServiceClientConstructor } } } })
    .grpc.reflection.v1.ServerReflection;
  const client = new reflection(address, credentials.createInsecure());
  return new Promise((resolve, reject) => {
    const call = (client as unknown as { serverReflectionInfo(): ClientDuplexStream<object, ReflectionResponse> }).serverReflectionInfo();
    call.on('data', (response: ReflectionResponse) => {
      resolve(response);
      call.end();
      client.close();
    });
    call.on('error', reject);
    call.write(request);
  });
}

describe('gRPC server reflection', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({ tokens: { 'reflection-token': 'rita' } });
  });
  after(() => stack.close());

  test('lists the Procwire and health services, without a token', async () => {
    const response = await ask(stack.server.address, { listServices: '' });
    const names = response.listServicesResponse?.service.map((service) => service.name) ?? [];
    assert.ok(names.includes('procwire.v1.Procwire'), names.join(', '));
    assert.ok(names.includes('grpc.health.v1.Health'), names.join(', '));
  });

  test('describes the Exec RPC and its messages', async () => {
    const response = await ask(stack.server.address, { fileContainingSymbol: 'procwire.v1.Procwire' });
    const files = response.fileDescriptorResponse?.fileDescriptorProto ?? [];
    assert.ok(files.length > 0, JSON.stringify(response.errorResponse));
    const text = Buffer.concat(files).toString('latin1');
    for (const name of ['Exec', 'ExecRequest', 'ExecEvent', 'procwire.v1']) {
      assert.ok(text.includes(name), `the descriptor names ${name}`);
    }
  });

  test('reflection: false leaves it out', async () => {
    const quiet = await startStack({ reflection: false });
    try {
      await assert.rejects(ask(quiet.server.address, { listServices: '' }), /UNIMPLEMENTED|unimplemented/i);
    } finally {
      await quiet.close();
    }
  });
});
