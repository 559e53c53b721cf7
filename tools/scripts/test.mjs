#!/usr/bin/env node
// The one test command (README, .ci/run): lint, build and typecheck everything (sources and
// tests), check the published packages' manifests, then run every test file with node:test in one
// run, so the summary at the end counts them all.
//   node tools/scripts/test.mjs                 everything
//   node tools/scripts/test.mjs --reliability   the fault-injection and load suite (tools/reliability)
//   node tools/scripts/test.mjs packages/core   only these folders' tests (after the same build)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const args = process.argv.slice(2);
const reliability = args.includes('--reliability');
const only = args.filter((arg) => !arg.startsWith('--'));
const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', FORCE_COLOR: '0' };

function run(title, command, commandArgs) {
  console.log(`\n== ${title}: ${command} ${commandArgs.join(' ')}`);
  const result = spawnSync(command, commandArgs, { cwd: root, stdio: 'inherit', env });
  if (result.status !== 0) {
    console.error(`\n${title} failed (exit ${result.status ?? result.signal})`);
    process.exit(result.status || 1);
  }
}

const bin = (name) => join(root, 'node_modules', '.bin', name);

run('system packages', 'bash', [join(root, 'tools/scripts/ensure-system-deps.sh')]);
run('lint', bin('biome'), ['check', '.']);
run('build and typecheck', bin('nx'), ['run-many', '-t', 'build', 'test:build', '--outputStyle=static']);
for (const dir of ['core', 'conformance', 'local-pty', 'grpc', 'websocket', 'docker']) {
  if (existsSync(join(root, 'packages', dir, 'dist'))) run(`publint ${dir}`, bin('publint'), ['--strict', join('packages', dir)]);
}

const packageDirs = ['packages', 'apps', 'tools'].flatMap((group) =>
  readdirSync(join(root, group)).map((name) => join(group, name)),
);
const dirs = reliability
  ? ['tools/reliability/dist-test']
  : (only.length > 0 ? only : packageDirs.filter((dir) => dir !== join('tools', 'reliability')))
      .map((dir) => join(dir, 'dist-test'))
      .filter((dir) => existsSync(join(root, dir)));
const concurrency = process.env.PROCWIRE_TEST_CONCURRENCY ?? '2';
// One private Docker engine for the container tests, stopped after them whatever happened. When it
// cannot start, its reason goes to the tests, which fail with it (never a silent skip).
const dockerDir = mkdtempSync(join(tmpdir(), 'procwire-dockerd-'));
console.log(`\n== docker engine: tools/scripts/ensure-docker.sh ${dockerDir}`);
const docker = spawnSync('bash', [join(root, 'tools/scripts/ensure-docker.sh'), dockerDir], {
  cwd: root,
  env,
  encoding: 'utf8',
  stdio: ['ignore', 'pipe', 'pipe'],
});
process.stderr.write(docker.stderr ?? '');
if (docker.status === 0) env.PROCWIRE_TEST_DOCKER_HOST = docker.stdout.trim();
else env.PROCWIRE_TEST_DOCKER_ERROR = `ensure-docker.sh failed (exit ${docker.status ?? docker.signal}): ${(docker.stderr ?? '').trim().slice(-2000)}`;
const stopDocker = () => spawnSync('bash', [join(root, 'tools/scripts/stop-docker.sh'), dockerDir], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    stopDocker();
    process.exit(130);
  });
}
const tests = spawnSync(process.execPath, ['--test', `--test-concurrency=${concurrency}`, ...dirs], { cwd: root, stdio: 'inherit', env });
stopDocker();
if (tests.status !== 0) {
  console.error(`\ntests failed (exit ${tests.status ?? tests.signal})`);
  process.exit(tests.status || 1);
}
