/**
 * A process is over only when its whole process group is gone: a background job that outlives
 * its leader still counts against the limits, is reported by `groupRunning`, and is reached by
 * `signal`, the timeout and `close()`. The exit status stays the leader's, reported at once.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import type { StartRequest, Transport } from '@procwire/core/transport';
import { localTransport } from '@procwire/local-pty';
import { eventually, nextId, pipeRequest, pipeSpawnModes, ptyRequest } from './helpers.js';

let durationCounter = 0;
/** A sleep duration no other test uses, to find the sleeps afterwards. */
function uniqueDuration(): string {
  durationCounter++;
  return `3601.${process.pid}${durationCounter}`;
}

/** Live processes whose command line is `sleep <duration>`. */
function sleepers(duration: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z') continue;
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8') === `sleep\0${duration}\0`) found.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

/** A leader that leaves a sleep behind in its group and exits 0 (a terminal's hangup ignored). */
function backgroundJob(make: typeof pipeRequest, duration: string, extra: Partial<StartRequest> = {}): StartRequest {
  return make(nextId('bg'), ['sh', '-c', `trap "" HUP; sleep ${duration} >/dev/null 2>&1 </dev/null &`], extra);
}

const modes = [
  ...pipeSpawnModes.map(({ name, options }) => ({ name: `pipe through ${name}`, make: pipeRequest, spawn: options })),
  { name: 'pty', make: ptyRequest, spawn: {} },
] as const;

for (const { name, make, spawn } of modes) {
  describe(`process groups: ${name}`, () => {
    test('orphaned members count against maxProcessesPerPrincipal until signal kills them; close() leaves none', async () => {
      const duration = uniqueDuration();
      const transport = localTransport({ ...spawn, maxProcessesPerPrincipal: 10 });
      const principal = 'alice';
      try {
        const started: string[] = [];
        const refusals: unknown[] = [];
        for (let i = 0; i < 20; i++) {
          const request = backgroundJob(make, duration);
          try {
            await transport.start(request, { principal });
            started.push(request.processId);
            // The leader's exit is reported as ever, at once.
            assert.deepEqual(await transport.wait({ processId: request.processId }, { principal }), { code: 0 });
          } catch (error) {
            refusals.push(error);
          }
        }
        assert.equal(started.length, 10, 'ten started');
        assert.equal(refusals.length, 10, 'the 11th and later were refused');
        assert.equal((refusals[0] as { code: string }).code, 'resource_exhausted');
        // A leader exits once it forked its job, which may not have exec'd `sleep` yet.
        assert.ok(await eventually(() => sleepers(duration).length === 10), 'ten jobs run');

        const first = started[0] as string;
        const info = await transport.get({ processId: first }, { principal });
        assert.equal(info.state, 'exited');
        assert.deepEqual(info.exit, { code: 0 });
        assert.equal(info.groupRunning, true);
        assert.equal((await transport.list({ principal })).filter((process) => process.groupRunning === true).length, 10);

        await transport.signal({ processId: first, signal: 'SIGKILL' }, { principal });
        assert.ok(await eventually(() => sleepers(duration).length === 9), "the signal reached the leader's orphan");
        assert.ok(
          await eventually(async () => (await transport.get({ processId: first }, { principal })).groupRunning !== true),
          'groupRunning turns false once the group is gone',
        );
        assert.deepEqual((await transport.get({ processId: first }, { principal })).exit, { code: 0 }, 'the exit status stays');
        // Room for one more now.
        const next = backgroundJob(make, duration);
        await transport.start(next, { principal });
        await transport.wait({ processId: next.processId }, { principal });
        assert.ok(await eventually(() => sleepers(duration).length === 10), 'ten jobs run again');
      } finally {
        await transport.close();
      }
      assert.deepEqual(sleepers(duration), [], 'close() killed every group');
    });

    test("the timeout reaches members that outlive the leader; the leader's status stays", async () => {
      const duration = uniqueDuration();
      const transport = localTransport({ ...spawn, killGraceMs: 200 });
      try {
        const request = backgroundJob(make, duration, { timeoutMs: 500 });
        await transport.start(request);
        assert.deepEqual(await transport.wait({ processId: request.processId }), { code: 0 });
        assert.ok(await eventually(() => sleepers(duration).length === 1), 'the job runs');
        assert.ok(await eventually(() => sleepers(duration).length === 0, 5000), 'the timeout killed the orphan');
        const info = await transport.get({ processId: request.processId });
        assert.deepEqual(info.exit, { code: 0 });
        assert.ok(await eventually(async () => (await transport.get({ processId: request.processId })).groupRunning !== true));
      } finally {
        await transport.close();
      }
    });

    test('retention does not forget a process whose group still runs', async () => {
      const duration = uniqueDuration();
      const transport = localTransport({ ...spawn, retentionMs: 50 });
      try {
        const request = backgroundJob(make, duration);
        await transport.start(request);
        await transport.wait({ processId: request.processId });
        await new Promise((resolve) => setTimeout(resolve, 300));
        assert.equal((await transport.get({ processId: request.processId })).groupRunning, true);
        await transport.signal({ processId: request.processId, signal: 'SIGTERM' });
        assert.ok(
          await eventually(() =>
            transport.get({ processId: request.processId }).then(
              () => false,
              (error: { code: string }) => error.code === 'not_found',
            ),
          ),
          'forgotten once the group is gone and retention passed',
        );
      } finally {
        await transport.close();
      }
    });
  });
}

describe('process groups: close()', () => {
  test('ends a group that ignores SIGTERM with SIGKILL after the grace period, and waits for it', async () => {
    const duration = uniqueDuration();
    const transport = localTransport({ killGraceMs: 300 });
    const request = pipeRequest(nextId('stubborn'), [
      'sh',
      '-c',
      `trap "" TERM HUP; sleep ${duration} >/dev/null 2>&1 </dev/null & echo started; wait`,
    ]);
    try {
      await transport.start(request);
      for await (const chunk of transport.readOutput({ processId: request.processId, fd: 1, offset: 0 })) {
        if (Buffer.from(chunk.data).toString().includes('started')) break;
      }
      // The shell says "started" once it forked the job, which may not have exec'd `sleep` yet.
      assert.ok(await eventually(() => sleepers(duration).length === 1), 'the job runs');
    } finally {
      await transport.close();
    }
    assert.deepEqual(sleepers(duration), []);
  });

  test('ends the jobs a terminal shell moved to groups of their own', async () => {
    const duration = uniqueDuration();
    const transport = localTransport();
    // `set -m`: job control, so the job runs in a process group of its own, in the same session.
    const request = ptyRequest(nextId('jobs'), [
      'sh',
      '-c',
      `trap "" HUP; set -m; sleep ${duration} >/dev/null 2>&1 </dev/null & echo started`,
    ]);
    await transport.start(request);
    await transport.wait({ processId: request.processId });
    assert.ok(await eventually(() => sleepers(duration).length === 1), 'the job runs');
    await transport.close();
    assert.deepEqual(sleepers(duration), []);
  });
});

const isRoot = process.getuid?.() === 0;

describe('process groups: a principal user', { skip: !isRoot && 'needs root' }, () => {
  test('close() ends what left both group and session (setsid), by the uid', async () => {
    const duration = uniqueDuration();
    const transport: Transport = localTransport({ principalUsers: { erin: { uid: 12011, gid: 12011 } } });
    const request = pipeRequest(nextId('daemon'), ['sh', '-c', `setsid sleep ${duration} >/dev/null 2>&1 </dev/null &`]);
    await transport.start(request, { principal: 'erin' });
    await transport.wait({ processId: request.processId }, { principal: 'erin' });
    assert.ok(await eventually(() => sleepers(duration).length === 1), 'the daemon runs');
    await transport.close();
    assert.deepEqual(sleepers(duration), []);
  });
});
