/**
 * Merges flags, environment variables and an optional JSON file into a checked `ServerConfig`.
 * Precedence: flags > env (PROCWIRE_*) > file (`--config` / PROCWIRE_CONFIG) > defaults. A bad
 * value throws a `ConfigError` naming the key as the user wrote it.
 */
import { accessSync, constants, readFileSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { parseBackendConfig } from '../backends/backend-config.js';
import { type LogFormat, logFormats } from '../observability/logger.js';
import { ConfigError } from './config-error.js';
import { configFileOption, type OptionKey, type OptionSpec, optionSpecs } from './options.js';
import type { Isolation, ListenAddress, PrincipalUser, ServerConfig, TlsMaterial } from './server-config.js';
import { generateToken, parseTokensFile, type TokensFile } from './tokens.js';

/** Where `loadConfig` reads from; defaults are the real process's. */
export interface ConfigSources {
  /** Command-line arguments after the program name. */
  readonly argv: readonly string[];
  /** Environment variables. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The uid the server runs as; default `process.getuid()`. */
  readonly userId?: number;
}

/** What `loadConfig` found: a config to run with, or a request for help. */
export type LoadedConfig = { readonly kind: 'run'; readonly config: ServerConfig } | { readonly kind: 'help' };

/** A raw value and the name of the key it came from (for error messages). */
interface RawValue {
  readonly text: string;
  readonly source: string;
}

const logLevels = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);
const isolations: readonly Isolation[] = ['none', 'uid'];
/** Node runs a longer timer after 1 ms, so every duration must fit in a signed 32-bit integer. */
const maximumTimerMs = 2 ** 31 - 1;
/** `--replay-bytes` is memory every stream of every process holds: the flag's upper bound. */
const maximumReplayBytes = 16 * 1024 * 1024;

/** Loads and checks the configuration. Throws `ConfigError` for anything wrong. */
export function loadConfig(sources: ConfigSources): LoadedConfig {
  const flags = parseFlags(sources.argv);
  if (flags === 'help') return { kind: 'help' };
  const configFile = flags.get(configFileOption.flag) ?? envValue(sources.env, configFileOption.env);
  const fileValues = configFile === undefined ? new Map<string, RawValue>() : readConfigFile(configFile);
  const raw = (spec: OptionSpec): RawValue | undefined =>
    flags.get(spec.flag) ?? envValue(sources.env, spec.env) ?? fileValues.get(spec.fileKey);
  const values = new Map<OptionKey, RawValue | undefined>();
  for (const spec of optionSpecs) {
    values.set(spec.fileKey, raw(spec) ?? defaultOf(spec));
  }
  const get = (key: OptionKey): RawValue | undefined => values.get(key);
  const need = (key: OptionKey): RawValue => {
    const value = get(key);
    if (value === undefined) throw new Error(`internal: ${key} has no default`);
    return value;
  };

  const tokensFile = get('tokensFile');
  const file = tokensFile === undefined ? undefined : readTokens(tokensFile);
  const websocketPath = need('websocketPath');
  if (!/^\/[A-Za-z0-9._~/-]*$/.test(websocketPath.text)) {
    throw new ConfigError(websocketPath.source, `must be a URL path starting with "/", got ${quote(websocketPath.text)}`);
  }
  const logLevel = need('logLevel');
  if (!logLevels.has(logLevel.text)) {
    throw new ConfigError(logLevel.source, `must be one of ${[...logLevels].join(', ')}, got ${quote(logLevel.text)}`);
  }
  const logFormat = need('logFormat');
  if (!(logFormats as readonly string[]).includes(logFormat.text)) {
    throw new ConfigError(logFormat.source, `must be one of ${logFormats.join(', ')}, got ${quote(logFormat.text)}`);
  }
  const readyFile = get('readyFile');
  const token = file === undefined ? generateToken() : undefined;
  const tokens = file?.tokens ?? { [token as string]: 'local' };
  const isolation = parseIsolation(need('isolation'), tokens, file, sources.userId ?? process.getuid?.());
  const grpcListen = parseAddress(need('grpcListen'));
  const httpListen = parseAddress(need('httpListen'));
  const tls = readTls(get('tlsCert'), get('tlsKey'));
  const allowPlaintext = parseSwitch(need('allowPlaintext'));
  if (tls === undefined && !allowPlaintext) {
    for (const [key, address] of [['grpcListen', grpcListen], ['httpListen', httpListen]] as const) {
      if (isLoopbackHost(address.host)) continue;
      throw new ConfigError(
        need(key).source,
        `${address.host} is not a loopback address and there is no TLS: tokens would cross the network in clear; give --tls-cert and --tls-key, or --allow-plaintext true`,
      );
    }
  }
  const processes = parseInteger(need('maxProcesses'), 1);
  const reserved = need('reservedProcessesPerPrincipal');
  const reservedProcessesPerPrincipal = parseInteger(reserved, 0);
  const principals = new Set(Object.values(tokens)).size;
  if (reservedProcessesPerPrincipal * principals > processes) {
    throw new ConfigError(
      reserved.source,
      `${reservedProcessesPerPrincipal} for each of ${principals} principals is ${reservedProcessesPerPrincipal * principals}, more than --max-processes ${processes}`,
    );
  }
  return {
    kind: 'run',
    config: {
      grpcListen,
      httpListen,
      websocketPath: websocketPath.text,
      tokens,
      tokenSource: tokensFile === undefined ? { kind: 'generated' } : { kind: 'file', file: tokensFile.text },
      isolation,
      principalUsers: file?.users ?? {},
      allowPlaintext,
      allowedOrigins: parseOrigins(get('allowedOrigins')),
      tls,
      limits: {
        processes,
        processesPerPrincipal: parseInteger(need('maxProcessesPerPrincipal'), 1),
        retainedPerPrincipal: parseInteger(need('maxRetainedPerPrincipal'), 1),
        reservedProcessesPerPrincipal,
        argvBytes: parseInteger(need('maxArgvBytes'), 1),
        envBytes: parseInteger(need('maxEnvBytes'), 1),
        envEntries: parseInteger(need('maxEnvEntries'), 1),
        pendingInputBytes: parseInteger(need('maxPendingInputBytes'), 1),
        connections: parseInteger(need('maxConnections'), 1),
        connectionsPerAddress: parseInteger(need('maxConnectionsPerAddress'), 1),
        authTimeoutMs: parseMilliseconds(need('authTimeoutMs'), 1),
        outputWindowBytes: parseInteger(need('outputWindowBytes'), 1),
        outputBurstBytes: parseInteger(need('outputBurstBytes'), 1),
        outputPoolBytes: parseInteger(need('outputPoolBytes'), 0),
        outputPipeBytes: parseInteger(need('outputPipeBytes'), 0, 2 ** 30),
        replayBytes: parseInteger(need('replayBytes'), 0, maximumReplayBytes),
        retentionMs: parseMilliseconds(need('retentionMs'), 1),
        idleTimeoutMs: parseMilliseconds(need('idleTimeoutMs'), 0),
        detachTimeoutMs: parseMilliseconds(need('detachTimeoutMs'), 0),
      },
      spawnHelper: parseSwitch(need('spawnHelper')),
      vforkSpawn: parseSwitch(need('vforkSpawn')),
      shell: [resolveShell(get('shell'), sources.env), '-l'],
      shutdownGraceMs: parseMilliseconds(need('shutdownGraceMs'), 0),
      logLevel: logLevel.text,
      logFormat: logFormat.text as LogFormat,
      readyFile: readyFile === undefined ? undefined : readyFile.text,
      backend: parseBackendConfig({
        backend: need('backend'),
        dockerImage: get('dockerImage'),
        dockerIdleMs: need('dockerIdleMs'),
        dockerMemory: need('dockerMemory'),
        dockerPidsLimit: need('dockerPidsLimit'),
        dockerCpus: need('dockerCpus'),
        dockerNetwork: need('dockerNetwork'),
      }),
    },
  };
}

/** `none` or `uid`; `uid` needs root and a user for every principal. */
function parseIsolation(
  value: RawValue,
  tokens: Readonly<Record<string, string>>,
  file: TokensFile | undefined,
  userId: number | undefined,
): Isolation {
  const isolation = isolations.find((name) => name === value.text);
  if (isolation === undefined) {
    throw new ConfigError(value.source, `must be one of ${isolations.join(', ')}, got ${quote(value.text)}`);
  }
  if (isolation === 'none') return isolation;
  if (userId !== 0) {
    throw new ConfigError(value.source, `uid needs the server to run as root (to switch users), it runs as uid ${userId ?? 'unknown'}`);
  }
  const users: Readonly<Record<string, PrincipalUser>> = file?.users ?? {};
  const without = [...new Set(Object.values(tokens))].filter((principal) => !Object.hasOwn(users, principal)).sort();
  if (without.length > 0) {
    throw new ConfigError(
      value.source,
      `uid needs a uid:gid for every principal on its tokens-file line ("TOKEN PRINCIPAL UID:GID"); none for: ${without.join(', ')}`,
    );
  }
  return isolation;
}

function parseOrigins(value: RawValue | undefined): readonly string[] | undefined {
  if (value === undefined) return undefined;
  const origins = value.text
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  for (const origin of origins) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(origin);
    } catch {
      parsed = undefined;
    }
    if (parsed === undefined || parsed.origin !== origin) {
      throw new ConfigError(value.source, `${quote(origin)} is not an origin like "https://example.com" or "http://host:8080"`);
    }
  }
  return origins;
}

function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function parseFlags(argv: readonly string[]): Map<string, RawValue> | 'help' {
  const known = new Set<string>([configFileOption.flag, ...optionSpecs.map((spec) => spec.flag)]);
  const flags = new Map<string, RawValue>();
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index] as string;
    if (argument === '--help' || argument === '-h') return 'help';
    const equals = argument.indexOf('=');
    const flag = equals === -1 ? argument : argument.slice(0, equals);
    if (!flag.startsWith('--')) throw new ConfigError(argument, 'unexpected argument (see --help)');
    if (!known.has(flag)) throw new ConfigError(flag, 'unknown flag (see --help)');
    let text: string | undefined;
    if (equals !== -1) text = argument.slice(equals + 1);
    else {
      text = argv[index + 1];
      index++;
    }
    if (text === undefined) throw new ConfigError(flag, 'needs a value');
    flags.set(flag, { text, source: flag });
  }
  return flags;
}

function envValue(env: ConfigSources['env'], name: string): RawValue | undefined {
  const text = env[name];
  return text === undefined || text === '' ? undefined : { text, source: name };
}

function defaultOf(spec: OptionSpec): RawValue | undefined {
  return spec.defaultValue === undefined ? undefined : { text: spec.defaultValue, source: spec.flag };
}

function readConfigFile(file: RawValue): Map<string, RawValue> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file.text, 'utf8'));
  } catch (error) {
    throw new ConfigError(file.source, `cannot read ${quote(file.text)} as JSON (${describe(error)})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(file.source, `${quote(file.text)} must hold a JSON object`);
  }
  const byKey = new Map<string, OptionSpec>(optionSpecs.map((spec) => [spec.fileKey, spec]));
  const values = new Map<string, RawValue>();
  for (const [key, value] of Object.entries(parsed)) {
    const source = `${file.text}: ${key}`;
    if (!byKey.has(key)) throw new ConfigError(source, 'unknown key');
    if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') {
      values.set(key, { text: String(value), source });
    } else throw new ConfigError(source, `must be a string, a number or a boolean, got ${JSON.stringify(value)}`);
  }
  return values;
}

function parseAddress(value: RawValue): ListenAddress {
  const match = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(value.text);
  const port = match === null ? Number.NaN : Number(match[2]);
  if (match === null || port > 65535) {
    throw new ConfigError(value.source, `must be host:port with a port in 0..65535, got ${quote(value.text)}`);
  }
  const host = (match[1] as string).replace(/^\[(.*)\]$/, '$1');
  return { host, port };
}

function parseInteger(value: RawValue, minimum: number, maximum = Number.MAX_SAFE_INTEGER): number {
  const number = /^\d+$/.test(value.text) ? Number(value.text) : Number.NaN;
  if (!Number.isSafeInteger(number) || number < minimum) {
    throw new ConfigError(value.source, `must be an integer of at least ${minimum}, got ${quote(value.text)}`);
  }
  if (number > maximum) throw new ConfigError(value.source, `must be at most ${maximum}, got ${quote(value.text)}`);
  return number;
}

/** A duration: an integer of at least `minimum`, at most what a Node timer can wait (2^31-1 ms). */
function parseMilliseconds(value: RawValue, minimum: number): number {
  const number = parseInteger(value, minimum);
  if (number > maximumTimerMs) {
    throw new ConfigError(value.source, `must be at most ${maximumTimerMs} ms (2^31-1, about 24.8 days), got ${quote(value.text)}`);
  }
  return number;
}

function parseSwitch(value: RawValue): boolean {
  if (value.text === 'true') return true;
  if (value.text === 'false') return false;
  throw new ConfigError(value.source, `must be true or false, got ${quote(value.text)}`);
}

function readTokens(file: RawValue): TokensFile {
  let text: string;
  try {
    text = readFileSync(file.text, 'utf8');
  } catch (error) {
    throw new ConfigError(file.source, `cannot read ${quote(file.text)} (${describe(error)})`);
  }
  try {
    return parseTokensFile(text);
  } catch (error) {
    throw new ConfigError(file.source, `${quote(file.text)}: ${describe(error)}`);
  }
}

function readTls(cert: RawValue | undefined, key: RawValue | undefined): TlsMaterial | undefined {
  if (cert === undefined && key === undefined) return undefined;
  if (cert === undefined) throw new ConfigError('--tls-cert', 'is required when a TLS key is given');
  if (key === undefined) throw new ConfigError('--tls-key', 'is required when a TLS certificate is given');
  const read = (value: RawValue, marker: string): string => {
    let text: string;
    try {
      text = readFileSync(value.text, 'utf8');
    } catch (error) {
      throw new ConfigError(value.source, `cannot read ${quote(value.text)} (${describe(error)})`);
    }
    if (!text.includes(marker)) throw new ConfigError(value.source, `${quote(value.text)} is not a PEM ${marker} file`);
    return text;
  };
  return {
    cert: read(cert, 'CERTIFICATE'),
    key: read(key, 'PRIVATE KEY'),
    certFile: cert.text,
    keyFile: key.text,
  };
}

function resolveShell(configured: RawValue | undefined, env: ConfigSources['env']): string {
  if (configured !== undefined) {
    if (!isAbsolute(configured.text) || !isExecutable(configured.text)) {
      throw new ConfigError(configured.source, `must be the absolute path of an executable, got ${quote(configured.text)}`);
    }
    return configured.text;
  }
  const candidates = [env['SHELL'], '/bin/bash', '/bin/sh'];
  for (const candidate of candidates) {
    if (candidate !== undefined && isAbsolute(candidate) && isExecutable(candidate)) return candidate;
  }
  return '/bin/sh';
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function quote(text: string): string {
  return JSON.stringify(text);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
