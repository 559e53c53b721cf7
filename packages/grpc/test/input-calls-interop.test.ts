import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Server, ServerCredentials, type ServerDuplexStream, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { grpcTransport } from '@procwire/grpc/client';
import { procwireV1 } from '@procwire/grpc/generated';

/** A grpc-js server with the generated (ts-proto) codecs and only the given handlers. */
async function serveGenerated(handlers: UntypedServiceImplementation): Promise<{ address: string; close(): void }> {
  const server = new Server();
  server.addService(procwireV1.ProcwireService, handlers);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  return { address: `127.0.0.1:${port}`, close: () => server.forceShutdown() };
}

test('grpcTransport writes InputCalls a generated server decodes, offsets past 2^32 included', async () => {
  const seen: procwireV1.InputCall[] = [];
  const server = await serveGenerated({
    writeInputCalls(call: ServerDuplexStream<procwireV1.InputCall, procwireV1.InputCallResult>) {
      call.on('data', (input: procwireV1.InputCall) => {
        seen.push(input);
        const write = input.write!;
        call.write({ callId: input.callId, response: { offset: write.offset + write.data.byteLength, eof: write.eof } });
      });
      call.on('end', () => call.end());
    },
  });
  const transport = grpcTransport({ address: server.address });
  try {
    const offsets = [0, 2 ** 32 + 5, 2 ** 53 - 10];
    for (const offset of offsets) {
      const result = await transport.writeInput({ processId: 'far', offset, data: new Uint8Array([1, 2, 3]), eof: offset > 0 });
      assert.deepEqual(result, { offset: offset + 3, eof: offset > 0 });
    }
    assert.deepEqual(
      seen.map((input) => [input.write?.processId, input.write?.offset, [...(input.write?.data ?? [])], input.write?.eof]),
      offsets.map((offset) => ['far', offset, [1, 2, 3], offset > 0]),
    );
    assert.equal(new Set(seen.map((input) => input.callId)).size, offsets.length, 'every write has its own call id');
  } finally {
    await transport.close();
    server.close();
  }
});

test('against a server without WriteInputCalls, grpcTransport writes stdin with unary WriteInput', async () => {
  let unaryWrites = 0;
  const server = await serveGenerated({
    writeInput(
      call: { request: procwireV1.WriteInputRequest },
      callback: (error: null, response: procwireV1.WriteInputResponse) => void,
    ) {
      unaryWrites++;
      callback(null, { offset: call.request.offset + call.request.data.byteLength, eof: call.request.eof });
    },
  });
  const transport = grpcTransport({ address: server.address });
  try {
    const first = await transport.writeInput({ processId: 'old', offset: 0, data: new Uint8Array(5), eof: false });
    const second = await transport.writeInput({ processId: 'old', offset: 5, data: new Uint8Array(2), eof: true });
    assert.deepEqual([first, second], [{ offset: 5, eof: false }, { offset: 7, eof: true }]);
    assert.equal(unaryWrites, 2);
  } finally {
    await transport.close();
    server.close();
  }
});
