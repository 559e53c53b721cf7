import assert from 'node:assert/strict';
import { test } from 'node:test';
import { localTransport } from '@procwire/local-pty';

test('a pipe process reports its output and exit code', async () => {
  const transport = localTransport();
  try {
    await transport.start({ processId: 'p', argv: ['sh', '-c', 'printf hi; exit 3'], stdout: 'pipe', stderr: 'pipe' });
    assert.deepEqual(await transport.wait({ processId: 'p' }), { code: 3 });
    const chunks: Uint8Array[] = [];
    for await (const chunk of transport.readOutput({ processId: 'p', fd: 1, offset: 0 })) chunks.push(chunk.data);
    assert.equal(Buffer.concat(chunks).toString(), 'hi');
  } finally {
    await transport.close();
  }
});
