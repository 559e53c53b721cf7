import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type GrpcServer, serveGrpc } from '@procwire/grpc/server';
import type { Transport } from '@procwire/core/transport';
import { localTransport } from '@procwire/local-pty';

const run = promisify(execFile);
const packageDir = fileURLToPath(new URL('..', import.meta.url));
const doc = join(packageDir, '..', '..', 'docs', 'PROTOCOL-grpc.md');
// Debian's python has python3-grpcio and python3-grpc-tools (tools/scripts/ensure-system-deps.sh).
const python = '/usr/bin/python3';

/** Each ```python block of the page, with the output its `# -> ` line promises. */
function pythonExamples(): { code: string; expected: string }[] {
  const examples: { code: string; expected: string }[] = [];
  for (const match of readFileSync(doc, 'utf8').matchAll(/```python\n([\s\S]*?)```/g)) {
    const code = match[1] as string;
    const promise = code.match(/^# -> (.*)$/m);
    assert.ok(promise !== null, `a python example without a "# -> " line:\n${code}`);
    examples.push({ code, expected: promise[1] as string });
  }
  return examples;
}

describe('the Python examples of docs/PROTOCOL-grpc.md, against a real server', () => {
  let host: Transport;
  let server: GrpcServer;
  let stubs: string;
  before(async () => {
    // A small output window: an example that did not ack would stop after 256 KiB and time out.
    host = localTransport({ outputWindowBytes: 256 * 1024 });
    server = await serveGrpc(host, { tokens: { 'doc-example-token': 'dora' } });
    stubs = mkdtempSync(join(tmpdir(), 'procwire-grpc-doc-'));
    await run(python, [
      '-m', 'grpc_tools.protoc', '-I', join(packageDir, 'proto'),
      `--python_out=${stubs}`, `--grpc_python_out=${stubs}`, 'procwire/v1/procwire.proto',
    ]);
  });
  after(async () => {
    await server.close();
    await host.close();
    rmSync(stubs, { recursive: true, force: true });
  });

  test('the page has the Exec example and the step-by-step one', () => {
    const examples = pythonExamples();
    assert.equal(examples.length, 2);
    assert.match(examples[0]!.code, /stub\.Exec\(/);
    assert.match(examples[1]!.code, /stub\.ReadOutput\(/);
  });

  for (const [index, example] of pythonExamples().entries()) {
    test(`example ${index + 1} prints what the page says (${example.expected})`, { timeout: 60_000 }, async () => {
      const file = join(stubs, `example_${index + 1}.py`);
      writeFileSync(file, example.code);
      const { stdout } = await run(python, [file], {
        env: { ...process.env, PYTHONPATH: stubs, PROCWIRE_GRPC: server.address, PROCWIRE_TOKEN: 'doc-example-token' },
        timeout: 50_000,
      });
      assert.equal(stdout.trim(), example.expected);
    });
  }
});
