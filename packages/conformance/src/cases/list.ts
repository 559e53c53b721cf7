/** `client.list()` shows the caller's processes, running and then exited. */
import assert from 'node:assert/strict';
import type { Client } from '@procwire/core';
import type { ConformanceCase } from '../harness/suite.js';

async function listed(client: Client, processId: string) {
  const found = (await client.list()).filter((info) => info.id === processId);
  assert.equal(found.length, 1, `list() shows process ${processId} ${found.length} times`);
  return found[0]!;
}

export const listCases: ConformanceCase = (suite) => {
  suite.test('list: shows the process running, then exited with its code', { timeoutMs: 20_000 }, async (context) => {
    const client = context.client();
    const argv = context.commands.cat();
    const process = await client.exec(argv);
    const running = await listed(client, process.id);
    assert.equal(running.state, 'running');
    assert.deepEqual(running.argv, argv);
    assert.equal(running.exit, undefined);
    process.stdin.writeEof();
    assert.equal(await process.wait(), 0);
    const exited = await listed(client, process.id);
    assert.equal(exited.state, 'exited');
    assert.equal(exited.exit?.code, 0);
  });
};
