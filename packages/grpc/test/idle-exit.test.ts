import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createClient } from '@procwire/core';
import { startStack } from './support/stack.js';

const run = promisify(execFile);
const packageDir = fileURLToPath(new URL('..', import.meta.url));

// The stdin stream (WriteInputCalls) is long-lived; once idle it must end by itself, or a script that
// wrote some input and forgot close() would never exit.
test('a client that wrote stdin and never closed lets Node exit once idle', { timeout: 30_000 }, async () => {
  const stack = await startStack({ tokens: { 'idle-token': 'judy' } });
  try {
    const client = createClient(stack.transport({ token: 'idle-token' }));
    const p = await client.exec(['cat']);
    const script = `
      import { grpcTransport } from '@procwire/grpc/client';
      const transport = grpcTransport({ address: ${JSON.stringify(stack.address)}, token: 'idle-token' });
      const data = new TextEncoder().encode('from a script\\n');
      await transport.writeInput({ processId: ${JSON.stringify(p.id)}, offset: 0, data, eof: true });
    `;
    const started = Date.now();
    await run(process.execPath, ['--input-type=module', '-e', script], { cwd: packageDir, timeout: 20_000 });
    assert.ok(Date.now() - started < 20_000, 'the script exited by itself');
    assert.equal(await p.stdout.read(), 'from a script\n');
    assert.equal(await p.wait(), 0);
  } finally {
    await stack.close();
  }
});

// Each process starts on a long-lived Exec call; once the exec is over, nothing may keep a script
// that never closed its client alive.
test('a client that ran an exec and never closed lets Node exit once idle', { timeout: 30_000 }, async () => {
  const stack = await startStack({ tokens: { 'idle-token': 'judy' } });
  try {
    const script = `
      import { createClient } from '@procwire/core';
      import { grpcTransport } from '@procwire/grpc/client';
      const client = createClient(grpcTransport({ address: ${JSON.stringify(stack.address)}, token: 'idle-token' }));
      const p = await client.exec(['echo', 'from a script']);
      process.stdout.write(await p.stdout.read());
      await p.wait();
    `;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: packageDir, timeout: 20_000 });
    assert.equal(stdout, 'from a script\n');
  } finally {
    await stack.close();
  }
});
