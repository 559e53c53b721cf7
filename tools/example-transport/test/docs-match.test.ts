// docs/TRANSPORT-AUTHORS.md shows the worked example file by file (tools/pack-test compiles and runs
// those blocks against the packed packages): they must be these files, and stay under 150 lines.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';

const root = new URL('../../../', import.meta.url);
const files = ['src/frames.ts', 'src/server.ts', 'src/client.ts'];

it('the docs show the example as it is, in under 150 lines of transport code', () => {
  const docs = readFileSync(new URL('docs/TRANSPORT-AUTHORS.md', root), 'utf8');
  let lines = 0;
  for (const file of files) {
    const source = readFileSync(new URL(`tools/example-transport/${file}`, root), 'utf8');
    const block = docs.match(new RegExp(`\`\`\`ts file=${file}\\n([\\s\\S]*?)\`\`\`\\n`))?.[1];
    assert.equal(block, source, `docs/TRANSPORT-AUTHORS.md's block for ${file} differs from tools/example-transport/${file}`);
    lines += source.split('\n').length - 1;
  }
  assert.ok(lines < 150, `the example has ${lines} lines of transport code`);
  assert.ok(docs.includes(`in ${lines} lines`), `docs/TRANSPORT-AUTHORS.md does not say the example has ${lines} lines`);
});
