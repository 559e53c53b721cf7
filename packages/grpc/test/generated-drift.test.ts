import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const packageDir = fileURLToPath(new URL('..', import.meta.url));
const script = join(packageDir, '..', '..', 'tools', 'scripts', 'generate-grpc.mjs');

function filesUnder(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (current: string) => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const path = join(current, entry.name);
      if (entry.isDirectory()) walk(path);
      else files.set(relative(dir, path), readFileSync(path, 'utf8'));
    }
  };
  walk(dir);
  return files;
}

test('the committed src/gen is exactly what the .proto files generate', { timeout: 60_000 }, async () => {
  const out = mkdtempSync(join(tmpdir(), 'procwire-grpc-gen-'));
  try {
    await run(process.execPath, [script, '--out', out]);
    const fresh = filesUnder(out);
    const committed = filesUnder(join(packageDir, 'src', 'gen'));
    assert.deepEqual([...committed.keys()].sort(), [...fresh.keys()].sort(), 'the same generated files');
    for (const [name, text] of fresh) {
      assert.ok(
        committed.get(name) === text,
        `src/gen/${name} is stale: run \`node tools/scripts/generate-grpc.mjs\` and commit the result`,
      );
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
