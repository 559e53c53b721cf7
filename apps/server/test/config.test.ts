import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, helpText, loadConfig, type ServerConfig } from 'procwire-server';

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
    writeFileSync(file, JSON.stringify({ grpcListen: '0.0.0.0:0' }));
    assert.deepEqual(load([], { PROCWIRE_CONFIG: file }).grpcListen, { host: '0.0.0.0', port: 0 });
  });

  it('names the flag, the env var or the file key that is wrong', () => {
    assert.equal(configError(['--max-argv-bytes', 'lots']).key, '--max-argv-bytes');
    assert.match(configError(['--max-argv-bytes', 'lots']).message, /--max-argv-bytes: must be an integer.*"lots"/);
    assert.equal(configError([], { PROCWIRE_GRPC_LISTEN: 'localhost' }).key, 'PROCWIRE_GRPC_LISTEN');
    assert.equal(configError(['--http-listen', '127.0.0.1:70000']).key, '--http-listen');
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ maxProcesses: 3 }));
    assert.equal(configError(['--config', file]).key, `${file}: maxProcesses`);
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
    for (const flag of ['--grpc-listen', '--http-listen', '--tokens-file', '--tls-cert', '--tls-key', '--max-processes-per-principal', '--max-argv-bytes', '--output-window-bytes', '--retention-ms', '--idle-timeout-ms', '--spawn-helper', '--shell', '--config']) {
      assert.ok(text.includes(flag), `help mentions ${flag}`);
    }
    assert.match(text, /flags > environment > config file > defaults/);
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
});
