/**
 * docs/TRANSPORT-AUTHORS.md as an author outside the repo reads it: its `file=` blocks (the worked
 * example and its conformance test) compiled in a project that has only the packed tarballs of
 * @procwire/core, @procwire/conformance and @procwire/local-pty, then the suite run through it.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const packed = ['core', 'conformance', 'local-pty'];

/** The `file=` code blocks of a markdown page: path -> content. */
function fileBlocks(markdown: string): Map<string, string> {
  const blocks = new Map<string, string>();
  for (const match of markdown.matchAll(/```ts file=(\S+)\n([\s\S]*?)```\n/g)) blocks.set(match[1]!, match[2]!);
  return blocks;
}

describe('docs/TRANSPORT-AUTHORS.md against the packed packages', { timeout: 900_000 }, () => {
  let project: string;
  before(() => {
    project = mkdtempSync(join(tmpdir(), 'procwire-author-docs-'));
    const tarballs = join(project, 'tarballs');
    for (const name of packed) {
      execFileSync('pnpm', ['pack', '--pack-destination', tarballs], { cwd: join(root, 'packages', name), stdio: 'pipe' });
    }
    const dependencies: Record<string, string> = { '@types/node': '20.19.43' };
    for (const file of readdirSync(tarballs)) {
      const name = `@procwire/${file.replace(/^procwire-/, '').replace(/-\d+\.\d+\.\d+.*\.tgz$/, '')}`;
      dependencies[name] = `file:./tarballs/${file}`;
    }
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'author-project', private: true, type: 'module', dependencies }, null, 2));
    writeFileSync(join(project, '.npmrc'), 'nodedir=/usr\nfund=false\naudit=false\n');
    const compilerOptions = { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, outDir: 'dist', rootDir: '.', types: ['node'], skipLibCheck: false };
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({ compilerOptions, include: ['src', 'test'] }, null, 2));
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: project, stdio: 'pipe' });
  });
  after(() => {
    if (project !== undefined) rmSync(project, { recursive: true, force: true });
  });

  it("the page's file blocks compile, and its conformance test passes the whole suite", () => {
    const blocks = fileBlocks(readFileSync(join(root, 'docs', 'TRANSPORT-AUTHORS.md'), 'utf8'));
    assert.ok(blocks.has('test/conformance.test.ts') && blocks.has('src/client.ts'), `the page has the blocks ${[...blocks.keys()].join(', ')}`);
    for (const [path, content] of blocks) {
      mkdirSync(dirname(join(project, path)), { recursive: true });
      writeFileSync(join(project, path), content);
    }
    const tsc = spawnSync(join(root, 'node_modules', '.bin', 'tsc'), ['-p', project], { encoding: 'utf8' });
    assert.equal(tsc.status, 0, `the page's examples do not compile:\n${tsc.stdout}${tsc.stderr}`);
    // Without NODE_TEST_CONTEXT the child is a run of its own, not a part of this one.
    const { NODE_TEST_CONTEXT: _, ...env } = process.env;
    const run = spawnSync(process.execPath, ['--test', 'dist/test/conformance.test.js'], { cwd: project, env, encoding: 'utf8', timeout: 600_000 });
    const summary = run.stdout.split('\n').filter((line) => /^# (tests|pass|fail|skipped)/.test(line));
    assert.equal(run.status, 0, `the page's conformance test failed:\n${run.stdout.slice(-4000)}${run.stderr.slice(-2000)}`);
    assert.ok(summary.includes('# fail 0') && summary.includes('# skipped 0'), summary.join('\n'));
  });
});
