// What a transport author sees when their transport is broken or lacks a capability: every case
// fails by its own timeout (the run ends by itself), and every skipped case is named with its reason.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { it } from 'node:test';

it('a transport that never answers fails every case by timeout, and skipped cases are named', { timeout: 60_000 }, async () => {
  const suite = fileURLToPath(new URL('./suites/hanging-transport.js', import.meta.url));
  // Without NODE_TEST_CONTEXT the child is a run of its own, not a part of this one.
  const { NODE_TEST_CONTEXT: _, ...env } = process.env;
  const child = spawn(process.execPath, ['--test', '--test-reporter=tap', suite], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => (output += text));
  const [code] = await once(child, 'exit');
  assert.notEqual(code, 0, 'the run passed against a transport that never answers');
  const skipped = output.match(/^ {4}ok \d+ - .* # SKIP .*$/gm) ?? [];
  const failed = output.match(/^ {4}not ok \d+ - .*$/gm) ?? [];
  assert.ok(skipped.length >= 5, `only ${skipped.length} cases were skipped`);
  for (const reason of ['no pty', 'no process groups', 'no resume', 'no working directories']) {
    assert.ok(skipped.some((line) => line.endsWith(`# SKIP ${reason}`)), `no case is skipped with "${reason}"`);
  }
  assert.ok(failed.length >= 30, `only ${failed.length} cases failed`);
  assert.ok(/did not finish within \d+ ms/.test(output), 'no case reports its timeout');
  assert.equal(skipped.length + failed.length, Number(output.match(/^# tests (\d+)$/m)?.[1]), 'some case neither failed nor was skipped');
});
