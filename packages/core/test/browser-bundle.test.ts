import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { createContext, runInContext } from 'node:vm';
import { build, type Plugin } from 'esbuild';

const require = createRequire(import.meta.url);

describe('browser bundle', () => {
  it('the main entry bundles for the browser with no node: import, and runs with web globals only', async () => {
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
      format: 'iife',
      globalName: 'procwire',
      write: false,
      logLevel: 'silent',
      plugins: [refuseNode],
    });
    assert.deepEqual(nodeImports, [], 'the main entry must not import Node modules');
    assert.deepEqual(result.errors, []);
    const code = result.outputFiles[0]!.text;
    assert.ok(code.length > 1000);
    // Run the bundle where only web globals exist (no process, Buffer or require), as in a page.
    const page = createContext({
      TextEncoder,
      TextDecoder,
      ReadableStream,
      WritableStream,
      AbortController,
      AbortSignal,
      DOMException,
      Event,
      EventTarget,
      setTimeout,
      clearTimeout,
      queueMicrotask,
      crypto: { getRandomValues: (array: Uint8Array) => globalThis.crypto.getRandomValues(array) },
      console,
    });
    runInContext(code, page);
    const output = await runInContext(
      `(async () => {
        const { createClient, memoryTransport } = procwire;
        const client = createClient(memoryTransport({
          programs: { greet: async ({ stdout }) => { await stdout.write('hi from the bundle\\n'); return 4; } },
        }));
        const p = await client.exec(['greet']);
        const text = await p.stdout.read();
        const code = await p.wait();
        await client.close();
        return { text, code, id: p.id, hasProcess: typeof process !== 'undefined' };
      })()`,
      page,
    );
    assert.deepEqual(
      { ...output, id: /^[0-9a-f-]{36}$/.test(output.id) },
      { text: 'hi from the bundle\n', code: 4, id: true, hasProcess: false },
    );
  });
});
