import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { build, type Plugin } from 'esbuild';

const require = createRequire(import.meta.url);

describe('browser bundle', () => {
  it('the main entry bundles for the browser with no node: import (and runs a process there)', async () => {
    const nodeImports: string[] = [];
    // Record every Node-only import instead of letting esbuild mark it external.
    const refuseNode: Plugin = {
      name: 'refuse-node-modules',
      setup(build) {
        build.onResolve({ filter: /^node:|^(fs|path|os|stream|child_process|net|tty|crypto|buffer|events|util)$/ }, (args) => {
          nodeImports.push(`${args.path} (from ${args.importer})`);
          return { path: args.path, external: true };
        });
      },
    };
    const entry = require.resolve('@procwire/core');
    const result = await build({
      entryPoints: [entry],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      logLevel: 'silent',
      plugins: [refuseNode],
    });
    assert.deepEqual(nodeImports, [], 'the main entry must not import Node modules');
    assert.deepEqual(result.errors, []);
    const code = result.outputFiles[0]!.text;
    assert.ok(code.length > 1000);
    // The bundle works on its own: exec through the memory host, from a data: URL.
    const core = (await import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`)) as typeof import('@procwire/core');
    const client = core.createClient(
      core.memoryTransport({
        programs: {
          greet: async ({ stdout }) => {
            await stdout.write('hi from the bundle\n');
            return 0;
          },
        },
      }),
    );
    const p = await client.exec(['greet']);
    assert.equal(await p.stdout.read(), 'hi from the bundle\n');
    assert.equal(await p.wait(), 0);
    await client.close();
  });
});
