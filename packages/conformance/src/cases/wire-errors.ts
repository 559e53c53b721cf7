/** A host's error crosses the wire whole: its code, message and details (processId, argv, exit facts). */
import assert from 'node:assert/strict';
import { isProcwireError } from '@procwire/core';
import type { Transport } from '@procwire/core/transport';
import type { ConformanceCase } from '../harness/suite.js';

const DETAILS = ['code', 'message', 'processId', 'argv', 'exitCode', 'signal', 'timedOut'] as const;

async function errorOf(what: string, call: () => Promise<unknown>): Promise<Record<string, unknown>> {
  try {
    await call();
  } catch (error) {
    assert.ok(isProcwireError(error), `${what}: rejected with something that is not a ProcwireError: ${String(error)}`);
    return Object.fromEntries(DETAILS.map((key) => [key, (error as unknown as Record<string, unknown>)[key]]).filter(([, value]) => value !== undefined));
  }
  assert.fail(`${what}: expected an error, but it succeeded`);
}

export const wireErrorCases: ConformanceCase = (suite) => {
  suite.test('wire errors: a host error arrives with its code, message and details', { timeoutMs: 20_000 }, async (context) => {
    const observed = context.observedHost;
    if (observed === undefined) return context.skip('no observeHost() in setup()');
    let fresh = 0;
    const id = () => `conformance-error-${Date.now().toString(36)}-${fresh++}`;
    const calls: ReadonlyArray<readonly [string, (transport: Transport) => Promise<unknown>]> = [
      ['start of an unknown command', (t) => t.start({ processId: id(), argv: context.commands.unknownCommand(), stdout: 'pipe', stderr: 'pipe' })],
      ['start with a NUL byte in argv', (t) => t.start({ processId: id(), argv: ['nul\0byte'], stdout: 'pipe', stderr: 'pipe' })],
      ['get of a process that does not exist', (t) => t.get({ processId: 'conformance-no-such-process' })],
      ['writeInput to a process that does not exist', (t) => t.writeInput({ processId: 'conformance-no-such-process', offset: 0, data: new Uint8Array(1), eof: false })],
    ];
    for (const [what, call] of calls) {
      const host = await errorOf(`${what} on the host`, () => call(observed.direct));
      const wire = await errorOf(`${what} through the transport`, () => call(context.transport));
      // A client may name the process the call was about; everything the host said must arrive as it was.
      const { processId: _added, ...wireShown } = wire;
      const expected = host['processId'] === undefined ? wireShown : wire;
      assert.deepEqual(
        expected,
        host,
        `${what}: the error through the transport differs from the host's. Encode code, message and every detail (processId, argv, exitCode, signal, timedOut) on the wire, and rebuild the ProcwireError from them (encodeWireError / decodeWireError)`,
      );
    }
  });
};
