/** `env` entries are set, override the host's, and `undefined` removes one. */
import assert from 'node:assert/strict';
import type { ConformanceCase } from '../harness/suite.js';

const ownName = 'PROCWIRE_CONFORMANCE_VALUE';

export const envCases: ConformanceCase = (suite) => {
  suite.test('env: a variable given in env is set for the process', { timeoutMs: 20_000 }, async (context) => {
    const client = context.client();
    const without = await client.exec(context.commands.printEnv(ownName));
    assert.equal(await without.stdout.read(), '<unset>\n', `${ownName} is set on the host already`);
    const process = await client.exec(context.commands.printEnv(ownName), { env: { [ownName]: 'a value with spaces' } });
    assert.equal(await process.stdout.read(), 'a value with spaces\n');
    assert.equal(await process.wait(), 0);
  });

  suite.test("env: a value overrides the host's, undefined removes it", { timeoutMs: 20_000 }, async (context) => {
    const client = context.client();
    const name = context.host.inheritedEnv;
    const inherited = await (await client.exec(context.commands.printEnv(name))).stdout.read();
    assert.notEqual(inherited, '<unset>\n', `${name} is not set on the host; name another variable in options.host.inheritedEnv`);
    const overridden = await client.exec(context.commands.printEnv(name), { env: { [name]: '/procwire/override' } });
    assert.equal(await overridden.stdout.read(), '/procwire/override\n');
    const removed = await client.exec(context.commands.printEnv(name), { env: { [name]: undefined } });
    assert.equal(await removed.stdout.read(), '<unset>\n');
    assert.equal(await removed.wait(), 0);
  });
};
