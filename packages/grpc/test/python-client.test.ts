import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type Stack, startStack } from './support/stack.js';

const run = promisify(execFile);
const packageDir = fileURLToPath(new URL('..', import.meta.url));
// Debian's python has python3-grpcio and python3-grpc-tools (tools/scripts/ensure-system-deps.sh).
const python = '/usr/bin/python3';

describe('an independent client: Python grpcio with stubs from the .proto', () => {
  let stack: Stack;
  let stubs: string;
  before(async () => {
    stack = await startStack({ tokens: { 'python-token': 'frank' } });
    stubs = mkdtempSync(join(tmpdir(), 'procwire-grpc-python-'));
    await run(python, [
      '-m', 'grpc_tools.protoc', '-I', join(packageDir, 'proto'),
      `--python_out=${stubs}`, `--grpc_python_out=${stubs}`,
      'procwire/v1/procwire.proto', 'grpc/health/v1/health.proto',
    ]);
  });
  after(async () => {
    await stack.close();
    rmSync(stubs, { recursive: true, force: true });
  });

  test('exec, write, read, wait, bulk write, WriteInputCalls, signal and errors work from Python', { timeout: 60_000 }, async () => {
    const { stdout } = await run(
      python,
      [join(packageDir, 'test', 'python', 'procwire_client.py'), stack.server.address, 'python-token'],
      { env: { ...process.env, PYTHONPATH: stubs }, timeout: 50_000 },
    );
    const result = JSON.parse(stdout);
    assert.deepEqual(result, {
      health: 'SERVING',
      started: true,
      idempotent_start: true,
      write_offsets: [6, 18, true],
      stdout: 'hello from python\n',
      exit: { code: 3, which: 'code', exit_code: 3 },
      bulk: { written: 1 << 20, eof: true, same: true },
      input_calls: { answers: { 1: [2, false], 2: [5, 'not_found'], 3: [5, true] }, stdout: 'abcd\n' },
      killed: { signal: 'SIGKILL', exit_code: 137 },
      missing: 'NOT_FOUND',
      no_token: 'UNAUTHENTICATED',
    });
  });
});
