/**
 * A process belongs to the principal that started it: for another principal every call about it
 * answers `not_found`, exactly as if it did not exist, and its id is free for that principal.
 */
import assert from 'node:assert/strict';
import { ErrorCode } from '@procwire/core';
import { expectProcwireError } from '../harness/expect-error.js';
import type { ConformanceCase } from '../harness/suite.js';

export const principalIsolationCases: ConformanceCase = (suite) => {
  suite.test(
    "principals: another principal's process is not_found for every call, and its id is free",
    { needs: ['principals'], timeoutMs: 20_000 },
    async (context) => {
      const other = context.otherPrincipalClient();
      const transport = context.otherPrincipalTransport;
      if (other === undefined || transport === undefined) return context.skip('no otherPrincipal from setup()');
      const owner = context.client();
      const process = await owner.exec(context.commands.cat());
      const processId = process.id;

      await expectProcwireError(() => other.get(processId), ErrorCode.NotFound, "get() of another principal's process");
      assert.ok(!(await other.list()).some((info) => info.id === processId), 'list() shows another principal\'s process');
      const calls: ReadonlyArray<readonly [string, () => Promise<unknown>]> = [
        ['get', () => transport.get({ processId })],
        ['poll', () => transport.poll({ processId })],
        ['wait', () => transport.wait({ processId })],
        ['signal', () => transport.signal({ processId, signal: 'SIGKILL' })],
        ['resize', () => transport.resize({ processId, size: { cols: 90, rows: 30 } })],
        ['ackOutput', () => transport.ackOutput({ processId, fd: 1, offset: 0 })],
        ['writeInput', () => transport.writeInput({ processId, offset: 0, data: new TextEncoder().encode('intruder\n'), eof: true })],
        [
          'readOutput',
          async () => {
            for await (const _ of transport.readOutput({ processId, fd: 1, offset: 0 })) break;
          },
        ],
      ];
      for (const [name, call] of calls) {
        await expectProcwireError(call, ErrorCode.NotFound, `${name} of another principal's process`);
      }

      // The id names nothing for the other principal, so it can start its own process with it.
      const own = await other.exec(context.commands.exitWith(7), { processId });
      assert.equal(await own.wait(), 7);

      assert.equal(await process.poll(), null, "another principal's calls ended the process");
      process.stdin.write('still mine\n');
      process.stdin.writeEof();
      assert.equal(await process.stdout.read(), 'still mine\n', "another principal's calls reached the process");
      assert.equal(await process.wait(), 0);
    },
  );
};
