/**
 * Bad input gets the exact error code, a message naming what was wrong, and leaves the transport
 * running processes as before.
 */
import assert from 'node:assert/strict';
import { type Client, ErrorCode, otherSignal } from '@procwire/core';
import type { ConformanceCommands } from '../commands/commands.js';
import { unknownCommandName } from '../commands/fixture-data.js';
import { expectProcwireError } from '../harness/expect-error.js';
import type { ConformanceCase } from '../harness/suite.js';

const encoder = new TextEncoder();
/** Filler arguments stay well under Linux's 128 KiB limit for a single argument. */
const FILLER_ITEM_BYTES = 32 * 1024;

async function assertStillRuns(client: Client, commands: ConformanceCommands): Promise<void> {
  const process = await client.exec(commands.echoBoth('still running', ''));
  assert.equal(await process.stdout.read(), 'still running', 'the transport no longer runs a process after bad input');
  assert.equal(await process.wait(), 0);
}

/** `argv` padded with filler arguments to exactly `bytes`, counted as hosts do (UTF-8 plus one NUL per item). */
function argvOfSize(argv: readonly string[], bytes: number): string[] {
  const padded = [...argv];
  let size = padded.reduce((sum, item) => sum + encoder.encode(item).byteLength + 1, 0);
  assert.ok(size < bytes, `the fixture argv alone is ${size} bytes, not under ${bytes}`);
  while (size < bytes) {
    const item = 'x'.repeat(Math.min(FILLER_ITEM_BYTES, bytes - size - 1));
    padded.push(item);
    size += item.length + 1;
  }
  return padded;
}

export const badInputCases: ConformanceCase = (suite) => {
  const rejected = (
    name: string,
    code: ErrorCode,
    attempt: (client: Client, commands: ConformanceCommands) => Promise<unknown>,
    check?: (error: Error) => void,
  ) =>
    suite.test(`bad input: ${name} is ${code}, and the transport runs on`, { timeoutMs: 20_000 }, async (context) => {
      const client = context.client();
      const error = await expectProcwireError(() => attempt(client, context.commands), code, name);
      check?.(error);
      await assertStillRuns(client, context.commands);
    });

  rejected('an empty argv', ErrorCode.InvalidArgument, (client) => client.exec([]));
  rejected('an argv item that is not a string', ErrorCode.InvalidArgument, (client, commands) =>
    client.exec([...commands.echoBoth('x', ''), 42 as unknown as string]),
  );
  rejected('a NUL byte in argv', ErrorCode.InvalidArgument, (client, commands) =>
    client.exec([...commands.echoBoth('x', ''), 'nul\0byte']),
  );
  rejected(
    'an unknown command',
    ErrorCode.NotFound,
    (client, commands) => client.exec(commands.unknownCommand()),
    (error) => assert.ok(error.message.includes(unknownCommandName), `the message does not name the command: ${error.message}`),
  );
  rejected('get() of an unknown process id', ErrorCode.NotFound, (client) =>
    client.get('procwire-conformance-no-such-process'),
  );
  rejected('a malformed process id', ErrorCode.InvalidArgument, (client, commands) =>
    client.exec(commands.exitWith(0), { processId: 'not a valid id!' }),
  );
  rejected('resize() of a process without a pty', ErrorCode.FailedPrecondition, async (client, commands) => {
    const process = await client.exec(commands.cat());
    try {
      await process.resize({ cols: 100, rows: 30 });
    } finally {
      process.stdin.writeEof();
      await process.wait();
    }
  });

  suite.test('bad input: a cwd that does not exist is invalid_argument, and the transport runs on', { needs: ['workingDirectory'], timeoutMs: 20_000 }, async (context) => {
    const client = context.client();
    const error = await expectProcwireError(
      () => client.exec(context.commands.printCwd(), { cwd: context.host.missingDirectory }),
      ErrorCode.InvalidArgument,
      'a missing cwd',
    );
    assert.ok(error.message.includes(context.host.missingDirectory), `the message does not name the directory: ${error.message}`);
    await assertStillRuns(client, context.commands);
  });

  suite.test('bad input: an unknown signal name is invalid_argument, and the transport runs on', { needs: ['signals'], timeoutMs: 20_000 }, async (context) => {
    const client = context.client();
    const process = await client.exec(context.commands.cat());
    await expectProcwireError(() => process.kill(otherSignal('SIGNOTASIGNAL')), ErrorCode.InvalidArgument, 'kill("SIGNOTASIGNAL")');
    assert.equal(await process.poll(), null, 'an unknown signal ended the process');
    process.stdin.writeEof();
    assert.equal(await process.wait(), 0);
    await assertStillRuns(client, context.commands);
  });

  suite.test('bad input: argv one byte over the size limit is resource_exhausted; at the limit it runs', { timeoutMs: 30_000 }, async (context) => {
    const client = context.client();
    const limit = context.limits.maxArgvBytes;
    const base = context.commands.echoBoth('at the limit', '');
    await expectProcwireError(
      () => client.exec(argvOfSize(base, limit + 1)),
      ErrorCode.ResourceExhausted,
      `argv of ${limit + 1} bytes`,
    );
    const atLimit = await client.exec(argvOfSize(base, limit));
    assert.equal(await atLimit.stdout.read(), 'at the limit');
    assert.equal(await atLimit.wait(), 0);
  });
};
