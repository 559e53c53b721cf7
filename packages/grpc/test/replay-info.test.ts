import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ErrorCode, isProcwireError, type OutputChunk, type Transport } from '@procwire/core/transport';
import { grpcTransport } from '@procwire/grpc/client';
import { serveGrpc } from '@procwire/grpc/server';
import { localTransport } from '@procwire/local-pty';

const token = 'alice-token-0123456789';

async function withServedHost(replayBytes: number, body: (client: Transport) => Promise<void>): Promise<void> {
  const host = localTransport({ replayBytes });
  const server = await serveGrpc(host, { host: '127.0.0.1', port: 0, tokens: { [token]: 'alice' } });
  const client = grpcTransport({ address: server.address, token });
  try {
    await body(client);
  } finally {
    await client.close();
    await server.close();
    await host.close();
  }
}

/** The first `length` bytes of stdout from `offset` (the process still runs). */
async function readText(client: Transport, processId: string, offset: number, length: number): Promise<string> {
  let text = '';
  const chunks: AsyncIterable<OutputChunk> = client.readOutput({ processId, fd: 1, offset });
  for await (const chunk of chunks) {
    text += new TextDecoder().decode(chunk.data);
    if (text.length >= length) break;
  }
  return text;
}

/** The client transport paces acks: wait until the host has this one. */
async function acknowledged(client: Transport, processId: string, offset: number) {
  for (let attempt = 0; attempt < 100; attempt++) {
    const info = await client.get({ processId });
    if (info.stdout.acknowledged === offset) return info;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.fail(`the host never had ${offset} bytes acknowledged`);
}

const request = (processId: string) => ({ processId, argv: ['sh', '-c', 'echo first; read x'], stdout: 'pipe', stderr: 'pipe' }) as const;

describe('OutputStreamInfo.replayFrom over gRPC', () => {
  test('a tail kept from offset 0 arrives as replayFrom 0, and a read from it gets the consumed bytes', async () => {
    await withServedHost(1024, async (client) => {
      await client.start(request('replay-1'));
      assert.equal(await readText(client, 'replay-1', 0, 6), 'first\n');
      await client.ackOutput({ processId: 'replay-1', fd: 1, offset: 6 });
      const info = await acknowledged(client, 'replay-1', 6);
      assert.equal(info.stdout.replayFrom, 0);
      assert.equal(await readText(client, 'replay-1', 0, 6), 'first\n');
      // Nothing acknowledged: the tail starts at acknowledged, which the wire sends as "none kept".
      assert.equal(info.stderr.replayFrom ?? info.stderr.acknowledged, 0);
      await client.signal({ processId: 'replay-1', signal: 'SIGKILL' });
    });
  });

  test('a host without a tail sends none: replayFrom is absent and a read below acknowledged is out_of_range', async () => {
    await withServedHost(0, async (client) => {
      await client.start(request('replay-2'));
      assert.equal(await readText(client, 'replay-2', 0, 6), 'first\n');
      await client.ackOutput({ processId: 'replay-2', fd: 1, offset: 6 });
      const info = await acknowledged(client, 'replay-2', 6);
      assert.equal('replayFrom' in info.stdout, false);
      await assert.rejects(readText(client, 'replay-2', 0, 6), (error) => isProcwireError(error, ErrorCode.OutOfRange));
      await client.signal({ processId: 'replay-2', signal: 'SIGKILL' });
    });
  });

  test('an ack sent as the process exits reaches the host: get() continues after it, without a repeat', async () => {
    await withServedHost(0, async (client) => {
      for (let round = 0; round < 5; round++) {
        const processId = `exits-${round}`;
        await client.start({ processId, argv: ['echo', 'first'], stdout: 'pipe', stderr: 'pipe' });
        let text = '';
        for await (const chunk of client.readOutput({ processId, fd: 1, offset: 0 })) text += new TextDecoder().decode(chunk.data);
        assert.equal(text, 'first\n');
        // Sent at once after the end of output: on the Exec call, racing its exit event.
        await client.ackOutput({ processId, fd: 1, offset: 6 });
        await acknowledged(client, processId, 6);
        await client.wait({ processId });
        assert.equal((await client.get({ processId })).stdout.acknowledged, 6);
      }
    });
  });
});
