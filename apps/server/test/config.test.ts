import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, type ConfigSources, configWarnings, helpText, loadConfig, type ServerConfig } from 'procwire-server';

const dir = mkdtempSync(join(tmpdir(), 'procwire-config-'));
const tokensFile = join(dir, 'tokens');
writeFileSync(tokensFile, '# who may connect\nalice-token-0123456789 alice\n\nbob-token-0123456789abc bob\n');

function load(argv: string[], env: Record<string, string> = {}): ServerConfig {
  const loaded = loadConfig({ argv, env });
  assert.equal(loaded.kind, 'run');
  return loaded.config;
}

function configError(argv: string[], env: Record<string, string> = {}): ConfigError {
  try {
    loadConfig({ argv, env });
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the configuration to be refused');
}

function refusal(sources: ConfigSources): ConfigError {
  try {
    loadConfig(sources);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the configuration to be refused');
}

describe('loadConfig', () => {
  it('uses loopback defaults and generates one token when none is configured', () => {
    const config = load([]);
    assert.deepEqual(config.grpcListen, { host: '127.0.0.1', port: 50051 });
    assert.deepEqual(config.httpListen, { host: '127.0.0.1', port: 8080 });
    assert.equal(config.tokenSource.kind, 'generated');
    const tokens = Object.entries(config.tokens);
    assert.equal(tokens.length, 1);
    assert.ok((tokens[0]?.[0].length ?? 0) >= 32);
    assert.equal(tokens[0]?.[1], 'local');
    assert.notDeepEqual(Object.keys(load([]).tokens), Object.keys(config.tokens), 'each start gets a fresh token');
  });

  it('reads the tokens file as token -> principal', () => {
    const config = load(['--tokens-file', tokensFile]);
    assert.deepEqual(config.tokens, { 'alice-token-0123456789': 'alice', 'bob-token-0123456789abc': 'bob' });
    assert.deepEqual(config.tokenSource, { kind: 'file', file: tokensFile });
  });

  it('takes flags over env over file over defaults', () => {
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ maxArgvBytes: 1000, retentionMs: 2000, idleTimeoutMs: 3000, logLevel: 'warn' }));
    const config = load(['--config', file, '--max-argv-bytes=10', '--log-level', 'debug'], {
      PROCWIRE_MAX_ARGV_BYTES: '20',
      PROCWIRE_RETENTION_MS: '30',
    });
    assert.equal(config.limits.argvBytes, 10, 'flag beats env and file');
    assert.equal(config.limits.retentionMs, 30, 'env beats file');
    assert.equal(config.limits.idleTimeoutMs, 3000, 'file beats default');
    assert.equal(config.logLevel, 'debug');
    assert.equal(config.limits.processesPerPrincipal, 64, 'default');
  });

  it('finds the config file through PROCWIRE_CONFIG', () => {
    const file = join(dir, 'env-config.json');
    writeFileSync(file, JSON.stringify({ grpcListen: '0.0.0.0:0', allowPlaintext: true }));
    assert.deepEqual(load([], { PROCWIRE_CONFIG: file }).grpcListen, { host: '0.0.0.0', port: 0 });
  });

  it('names the flag, the env var or the file key that is wrong', () => {
    assert.equal(configError(['--max-argv-bytes', 'lots']).key, '--max-argv-bytes');
    assert.match(configError(['--max-argv-bytes', 'lots']).message, /--max-argv-bytes: must be an integer.*"lots"/);
    assert.equal(configError([], { PROCWIRE_GRPC_LISTEN: 'localhost' }).key, 'PROCWIRE_GRPC_LISTEN');
    assert.equal(configError(['--http-listen', '127.0.0.1:70000']).key, '--http-listen');
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ maxFrobs: 3 }));
    assert.equal(configError(['--config', file]).key, `${file}: maxFrobs`);
    assert.equal(configError(['--frobnicate', '1']).key, '--frobnicate');
    assert.equal(configError(['--log-level', 'loud']).key, '--log-level');
    assert.equal(configError(['--shell', 'bash']).key, '--shell');
    assert.equal(configError(['--tls-cert', tokensFile]).key, '--tls-key');
    assert.equal(configError(['--retention-ms', '0']).key, '--retention-ms');
  });

  it('refuses a bad tokens file without printing a token', () => {
    const file = join(dir, 'bad-tokens');
    writeFileSync(file, 'short-secret alice\nanother-secret-token-0123 bob extra\n');
    const error = configError(['--tokens-file', file]);
    assert.equal(error.key, '--tokens-file');
    assert.match(error.message, /line 1: token is shorter/);
    assert.doesNotMatch(error.message, /secret/);
    writeFileSync(file, 'a-long-enough-token-0123 alice\na-long-enough-token-0123 bob\n');
    assert.match(configError(['--tokens-file', file]).message, /line 2: token repeats/);
    assert.doesNotMatch(configError(['--tokens-file', file]).message, /a-long-enough/);
    assert.match(configError(['--tokens-file', join(dir, 'missing')]).message, /cannot read/);
  });

  it('answers --help with every flag', () => {
    assert.deepEqual(loadConfig({ argv: ['--grpc-listen', 'x', '--help'], env: {} }), { kind: 'help' });
    const text = helpText();
    for (const flag of ['--grpc-listen', '--http-listen', '--tokens-file', '--tls-cert', '--tls-key', '--max-processes-per-principal', '--max-argv-bytes', '--output-window-bytes', '--output-burst-bytes', '--output-pool-bytes', '--output-pipe-bytes', '--retention-ms', '--idle-timeout-ms', '--spawn-helper', '--vfork-spawn', '--shell', '--config']) {
      assert.ok(text.includes(flag), `help mentions ${flag}`);
    }
    assert.match(text, /flags > environment > config file > defaults/);
  });

  it('lends streams being read up to 8 MiB from a 64 MiB pool by default; 0 turns the pool off', () => {
    const { limits } = load([]);
    assert.equal(limits.outputWindowBytes, 1024 * 1024);
    assert.equal(limits.outputBurstBytes, 8 * 1024 * 1024);
    assert.equal(limits.outputPoolBytes, 64 * 1024 * 1024);
    assert.equal(load(['--output-pool-bytes', '0']).limits.outputPoolBytes, 0);
    assert.equal(load([], { PROCWIRE_OUTPUT_BURST_BYTES: '2097152' }).limits.outputBurstBytes, 2 * 1024 * 1024);
    assert.match(configError(['--output-pool-bytes', '-1']).message, /--output-pool-bytes/);
    assert.match(configError(['--output-burst-bytes', '0']).message, /--output-burst-bytes/);
  });

  it('grows a bulk output pipe to 1 MiB by default; 0 never grows one, past 1 GiB is refused', () => {
    assert.equal(load([]).limits.outputPipeBytes, 1024 * 1024);
    assert.equal(load(['--output-pipe-bytes', '0']).limits.outputPipeBytes, 0);
    assert.equal(load([], { PROCWIRE_OUTPUT_PIPE_BYTES: '262144' }).limits.outputPipeBytes, 256 * 1024);
    assert.match(configError(['--output-pipe-bytes', String(2 ** 30 + 1)]).message, /--output-pipe-bytes.*at most 1073741824/);
  });

  it('spawns with posix_spawn by default, and takes true or false for --vfork-spawn', () => {
    assert.equal(load([]).vforkSpawn, true);
    assert.equal(load(['--vfork-spawn', 'false']).vforkSpawn, false);
    assert.equal(load([], { PROCWIRE_VFORK_SPAWN: 'false' }).vforkSpawn, false);
    assert.match(configError(['--vfork-spawn=maybe']).message, /--vfork-spawn/);
  });

  it('spawns through the helper by default, and takes true or false for --spawn-helper', () => {
    assert.equal(load([]).spawnHelper, true);
    assert.equal(load(['--spawn-helper', 'false']).spawnHelper, false);
    assert.equal(load([], { PROCWIRE_SPAWN_HELPER: 'false' }).spawnHelper, false);
    const file = join(dir, 'switch.json');
    writeFileSync(file, JSON.stringify({ spawnHelper: false }));
    assert.equal(load(['--config', file]).spawnHelper, false);
    const error = configError(['--spawn-helper=yes']);
    assert.match(error.message, /--spawn-helper/);
    assert.match(error.message, /must be true or false, got "yes"/);
  });

  it('starts the web terminal shell as a login shell', () => {
    assert.deepEqual(load(['--shell', '/bin/sh']).shell, ['/bin/sh', '-l']);
  });

  it('refuses every duration over 2^31-1 ms, naming the flag', () => {
    for (const flag of ['--retention-ms', '--idle-timeout-ms', '--shutdown-grace-ms', '--auth-timeout-ms']) {
      const error = configError([flag, String(2 ** 31)]);
      assert.equal(error.key, flag);
      assert.match(error.message, /at most 2147483647 ms/);
      assert.equal(load([flag, String(2 ** 31 - 1)]).shutdownGraceMs >= 0, true);
    }
  });

  it('has documented defaults for every bound', () => {
    const { limits } = load([]);
    assert.equal(limits.processes, 256);
    assert.equal(limits.reservedProcessesPerPrincipal, 0);
    assert.equal(limits.envBytes, 262144);
    assert.equal(limits.envEntries, 4096);
    assert.equal(limits.retainedPerPrincipal, 64);
    assert.equal(limits.pendingInputBytes, 1048576);
    assert.equal(limits.connections, 512);
    assert.equal(limits.connectionsPerAddress, 64);
    assert.equal(limits.authTimeoutMs, 10000);
    const text = helpText();
    for (const flag of ['--isolation', '--max-processes ', '--reserved-processes-per-principal', '--max-env-bytes', '--max-env-entries', '--max-retained-per-principal', '--max-pending-input-bytes', '--max-connections ', '--max-connections-per-address', '--auth-timeout-ms', '--allow-plaintext', '--allowed-origins']) {
      assert.ok(text.includes(flag), `help mentions ${flag}`);
    }
  });

  it('keeps 64 KiB of replay per stream by default, takes 0..16 MiB for --replay-bytes and names it otherwise', () => {
    assert.equal(load([]).limits.replayBytes, 65536);
    assert.equal(load(['--replay-bytes', '0']).limits.replayBytes, 0);
    assert.equal(load(['--replay-bytes', String(16 * 1024 * 1024)]).limits.replayBytes, 16 * 1024 * 1024);
    assert.equal(load([], { PROCWIRE_REPLAY_BYTES: '4096' }).limits.replayBytes, 4096);
    const tooBig = configError(['--replay-bytes', String(16 * 1024 * 1024 + 1)]);
    assert.equal(tooBig.key, '--replay-bytes');
    assert.match(tooBig.message, /at most 16777216/);
    assert.match(configError(['--replay-bytes', '-1']).message, /--replay-bytes.*integer of at least 0/);
    assert.match(helpText(), /--replay-bytes/);
  });

  it('refuses reservations that do not fit in --max-processes', () => {
    const error = configError(['--tokens-file', tokensFile, '--max-processes', '10', '--reserved-processes-per-principal', '6']);
    assert.equal(error.key, '--reserved-processes-per-principal');
    assert.match(error.message, /6 for each of 2 principals is 12, more than --max-processes 10/);
    assert.equal(load(['--tokens-file', tokensFile, '--max-processes', '10', '--reserved-processes-per-principal', '5']).limits.reservedProcessesPerPrincipal, 5);
  });

  it('refuses a non-loopback address without TLS unless --allow-plaintext', () => {
    const error = configError(['--grpc-listen', '0.0.0.0:0']);
    assert.equal(error.key, '--grpc-listen');
    assert.match(error.message, /not a loopback address and there is no TLS.*--allow-plaintext/);
    assert.equal(configError(['--http-listen', '10.1.2.3:80']).key, '--http-listen');
    const config = load(['--grpc-listen', '0.0.0.0:0', '--allow-plaintext', 'true', '--tokens-file', tokensFile]);
    assert.equal(config.allowPlaintext, true);
    assert.match(configWarnings(config, 1000).join('\n'), /--allow-plaintext: listening on 0\.0\.0\.0 without TLS/);
  });

  it('warns when several principals share the server\'s user', () => {
    const config = load(['--tokens-file', tokensFile]);
    assert.match(configWarnings(config, 0).join('\n'), /--isolation none with 2 principals: all their processes run as root/);
    assert.deepEqual(configWarnings(load([]), 0), [], 'one principal: nothing to warn about');
  });

  it('reads uid:gid from the tokens file and checks --isolation uid', () => {
    const file = join(dir, 'uid-tokens');
    writeFileSync(file, 'alice-token-0123456789 alice 12001:12001\nbob-token-0123456789abc bob 12002:12002\n');
    const config = loadConfig({ argv: ['--tokens-file', file, '--isolation', 'uid'], env: {}, userId: 0 });
    assert.equal(config.kind, 'run');
    if (config.kind !== 'run') return;
    assert.equal(config.config.isolation, 'uid');
    assert.deepEqual(config.config.principalUsers, { alice: { uid: 12001, gid: 12001 }, bob: { uid: 12002, gid: 12002 } });
    const notRoot = refusal({ argv: ['--tokens-file', file, '--isolation', 'uid'], env: {}, userId: 1000 });
    assert.match(notRoot.message, /--isolation: uid needs the server to run as root.*uid 1000/);
    writeFileSync(file, 'alice-token-0123456789 alice 12001:12001\nbob-token-0123456789abc bob\ncarol-token-0123456789ab carol\n');
    const missing = refusal({ argv: ['--tokens-file', file, '--isolation', 'uid'], env: {}, userId: 0 });
    assert.match(missing.message, /none for: bob, carol$/);
    assert.match(refusal({ argv: ['--isolation', 'uid'], env: {}, userId: 0 }).message, /none for: local$/, 'a generated token is principal local');
    writeFileSync(file, 'alice-token-0123456789 alice 12001:12001\nbob-token-0123456789abc bob 12001:12002\n');
    assert.match(configError(['--tokens-file', file]).message, /line 2: uid 12001 is also principal alice's/);
    writeFileSync(file, 'alice-token-0123456789 alice 0:0\n');
    assert.match(configError(['--tokens-file', file]).message, /line 1: uid:gid 0:0 is root/);
    writeFileSync(file, 'alice-token-0123456789 alice 12001\n');
    assert.match(configError(['--tokens-file', file]).message, /line 1: the third field must be uid:gid/);
    assert.match(configError(['--isolation', 'container']).message, /must be one of none, uid, got "container"/);
  });

  it('takes a list of allowed origins', () => {
    assert.deepEqual(load(['--allowed-origins', 'https://a.example, http://b.example:8080']).allowedOrigins, [
      'https://a.example',
      'http://b.example:8080',
    ]);
    assert.equal(load([]).allowedOrigins, undefined);
    assert.match(configError(['--allowed-origins', 'https://a.example/path']).message, /is not an origin/);
  });
});
