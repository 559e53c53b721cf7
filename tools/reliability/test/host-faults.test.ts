/**
 * Host faults: processes that misbehave on purpose, run by the real local host, each ending as
 * docs/SEMANTICS.md and `localTransport`'s options document: SIGTERM then SIGKILL after the grace
 * period on timeout; exit reported once both outputs end; members of the group still holding the
 * outputs a grace period after the leader exited are killed.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient, isProcwireError } from '@procwire/core';
import { localTransport } from '@procwire/local-pty';
import { report } from './helpers/report.js';

const killGraceMs = 500;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Whether `pid` is gone, polling for up to `ms` (a killed process needs a moment to be reaped). */
async function goneWithin(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (!alive(pid)) return true;
    await sleep(50);
  }
  return !alive(pid);
}

describe('host faults end as documented', () => {
  const client = createClient(localTransport({ killGraceMs }));
  after(() => client.close());

  it('a process that ignores SIGTERM is killed with SIGKILL after the grace period of its timeout', { timeout: 30_000 }, async () => {
    const started = Date.now();
    const process = await client.exec(['sh', '-c', 'trap "" TERM; echo ready; while :; do sleep 0.1; done'], { timeoutMs: 300 });
    const failure = await process.wait().then(
      () => assert.fail('wait() must reject after a timeout'),
      (error: unknown) => error,
    );
    const status = await process.waitStatus();
    report(
      `ignores SIGTERM: timeout 300 ms, grace ${killGraceMs} ms -> ended after ${Date.now() - started} ms with ` +
        `${JSON.stringify(status)}, wait() rejected with ${isProcwireError(failure) ? failure.code : String(failure)}`,
    );
    assert.ok(isProcwireError(failure, 'timeout'), 'wait() rejects with a timeout error');
    assert.equal(failure.exitCode, 137);
    assert.equal(failure.timedOut, true);
    assert.deepEqual(status, { code: 137, signal: 'SIGKILL', timedOut: true });
    assert.equal(await process.stdout.read(), 'ready\n', 'output written before the kill is still readable');
  });

  it('a process that closes stdout early and keeps running: stdout ends at once, the exit comes later', { timeout: 30_000 }, async () => {
    const process = await client.exec(['sh', '-c', 'echo bye; exec 1>&-; sleep 1; echo still-here >&2; exit 3']);
    const started = Date.now();
    const stdout = await process.stdout.read();
    const stdoutMs = Date.now() - started;
    const running = await process.poll();
    const code = await process.wait();
    const stderr = await process.stderr.read();
    report(`closes stdout early: stdout ${JSON.stringify(stdout)} ended after ${stdoutMs} ms while poll() said ${running}; exit ${code}; stderr ${JSON.stringify(stderr)}`);
    assert.equal(stdout, 'bye\n');
    assert.equal(running, null, 'the process still runs after closing stdout');
    assert.equal(code, 3);
    assert.equal(stderr, 'still-here\n', 'stderr stays open and complete until the exit');
  });

  it('a process that forks children and exits: the exit is reported, and the children holding its output are killed', { timeout: 30_000 }, async () => {
    const started = Date.now();
    const process = await client.exec(['sh', '-c', 'sleep 60 & echo $!; sleep 60 & echo $!; exit 4']);
    const code = await process.wait();
    const pids = (await process.stdout.read()).trim().split('\n').map(Number);
    const gone = await Promise.all(pids.map((pid) => goneWithin(pid, 5000)));
    report(`forks and exits: exit ${code} after ${Date.now() - started} ms; children ${pids.join(', ')} gone: ${gone.join(', ')}`);
    assert.equal(code, 4, "the leader's exit code");
    assert.equal(pids.length, 2);
    assert.deepEqual(gone, [true, true], 'no child outlives the process');
  });

  it('a child that writes after its parent died: its output is delivered before the exit is reported', { timeout: 30_000 }, async () => {
    const process = await client.exec(['sh', '-c', '(sleep 0.2; echo late; echo late-err >&2) & echo early; exit 5']);
    const code = await process.wait();
    const [stdout, stderr] = await Promise.all([process.stdout.read(), process.stderr.read()]);
    report(`writes after its parent died: exit ${code}; stdout ${JSON.stringify(stdout)}; stderr ${JSON.stringify(stderr)}`);
    assert.equal(code, 5);
    assert.equal(stdout, 'early\nlate\n', 'the orphan wrote within the grace period, and nothing is lost');
    assert.equal(stderr, 'late-err\n');
  });
});
