/** `kill()` reaches the whole process group: no child of the process survives it. */
import assert from 'node:assert/strict';
import type { Client } from '@procwire/core';
import type { ConformanceCommands } from '../commands/commands.js';
import { delay } from '../harness/delay.js';
import { readUntil } from '../harness/read-until.js';
import type { ConformanceCase } from '../harness/suite.js';

async function isAlive(client: Client, commands: ConformanceCommands, pid: string): Promise<boolean> {
  const probe = await client.exec(commands.processAlive(pid));
  return (await probe.wait()) === 0;
}

export const processGroupCases: ConformanceCase = (suite) => {
  suite.test(
    'process group: kill() also ends the children, none survives',
    { needs: ['signals', 'processGroups'], timeoutMs: 30_000 },
    async (context) => {
      const client = context.client();
      const process = await client.exec(context.commands.spawnGroup());
      const stdout = process.stdout[Symbol.asyncIterator]();
      const pid = (await readUntil(stdout, (text) => text.includes('\n'), 'spawnGroup() output')).trim();
      assert.match(pid, /^\d+$/, 'spawnGroup() did not print a pid');
      assert.equal(await isAlive(client, context.commands, pid), true, `the child ${pid} is not running before the kill`);
      await process.kill();
      assert.equal(await process.wait(), 143);
      // The child dies with the group at once; a few probes give an orphan time to be reaped.
      let alive = true;
      for (let attempt = 0; attempt < 50 && alive; attempt++) {
        alive = await isAlive(client, context.commands, pid);
        if (alive) await delay(100, context.signal);
      }
      assert.equal(alive, false, `the child ${pid} survived kill() of its process group`);
      await stdout.return?.();
    },
  );

  suite.test(
    'process group: a timeout also ends the children',
    { needs: ['signals', 'processGroups'], timeoutMs: 30_000 },
    async (context) => {
      const client = context.client();
      const process = await client.exec(context.commands.spawnGroup(), { timeoutMs: 3_000 });
      const stdout = process.stdout[Symbol.asyncIterator]();
      const pid = (await readUntil(stdout, (text) => text.includes('\n'), 'spawnGroup() output')).trim();
      await process.waitStatus();
      let alive = true;
      for (let attempt = 0; attempt < 50 && alive; attempt++) {
        alive = await isAlive(client, context.commands, pid);
        if (alive) await delay(100, context.signal);
      }
      assert.equal(alive, false, `the child ${pid} survived the timeout of its process group`);
      await stdout.return?.();
    },
  );
};
