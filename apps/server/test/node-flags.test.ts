import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { serverNodeFlags } from 'procwire-server/node-flags';

const repoFile = (path: string) => readFileSync(fileURLToPath(new URL(`../../../${path}`, import.meta.url)), 'utf8');

describe("procwire-server's Node flags", () => {
  it('every launcher passes them: the shebang, `pnpm start` and the Dockerfile', () => {
    const shebang = repoFile('apps/server/dist/main.js').split('\n')[0]!;
    const start = (JSON.parse(repoFile('package.json')) as { scripts: Record<string, string> }).scripts['start']!;
    const entrypoint = repoFile('Dockerfile')
      .split('\n')
      .find((line) => line.startsWith('ENTRYPOINT'))!;
    for (const flag of serverNodeFlags) {
      assert.match(shebang, /^#!\/usr\/bin\/env -S node /, 'the shebang passes flags with env -S');
      assert.ok(shebang.split(' ').includes(flag), `the shebang lacks ${flag}: ${shebang}`);
      assert.ok(start.split(' ').includes(flag), `pnpm start lacks ${flag}: ${start}`);
      assert.ok(entrypoint.includes(`"${flag}"`), `the Dockerfile's ENTRYPOINT lacks ${flag}: ${entrypoint}`);
    }
  });
});
