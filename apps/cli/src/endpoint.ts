import { readFileSync } from 'node:fs';
import { CliError, usageError } from './cli-error.js';
import { ExitCode } from './exit-codes.js';

/** Where the processes run, chosen by the URL scheme. */
export type Endpoint =
  | { readonly kind: 'local' }
  | { readonly kind: 'grpc'; readonly address: string; readonly tls: boolean; readonly url: string }
  | { readonly kind: 'websocket'; readonly url: string };

/** Connection flags shared by every command. */
export interface ConnectionFlags {
  readonly url?: string;
  readonly token?: string;
  readonly tokenFile?: string;
  /** Seconds to keep reconnecting before giving up (core `retryTimeoutMs`). */
  readonly giveUpSeconds?: number;
  /** Seconds to keep trying the first connection (a server that is starting); default 0. */
  readonly waitForServerSeconds?: number;
}

/** A resolved connection: the endpoint, the token (never printed) and where it came from. */
export interface Connection {
  readonly endpoint: Endpoint;
  readonly token: string | undefined;
  /** Where the token came from, for error messages: `--token`, `--token-file F`, `PROCWIRE_TOKEN`. */
  readonly tokenSource: string | undefined;
  readonly retryTimeoutMs: number | undefined;
  /** How long the first connection is tried before the CLI fails (exit 255), in ms. */
  readonly firstConnectMs: number;
}

/** How long a first connection is tried without `--wait-for-server`: not at all, as ssh does. */
export const defaultFirstConnectMs = 0;

/** The WebSocket path a server listens on when the URL names none (the server's default). */
export const defaultWebSocketPath = '/procwire';

/**
 * Pick the transport from a URL: `grpc://host:port`, `grpcs://host:port`, `ws://host:port/path`,
 * `wss://host:port/path`; no URL means this host. Throws a usage error naming the bad URL.
 */
export function parseEndpoint(url: string | undefined): Endpoint {
  if (url === undefined || url === '') return { kind: 'local' };
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw usageError(`invalid --url '${url}': expected grpc://, grpcs://, ws:// or wss://HOST:PORT`);
  }
  const scheme = parsed.protocol.slice(0, -1);
  if (scheme === 'grpc' || scheme === 'grpcs') {
    if (parsed.hostname === '' || parsed.port === '') {
      throw usageError(`invalid --url '${url}': a gRPC URL needs a host and a port (${scheme}://HOST:PORT)`);
    }
    if (parsed.pathname !== '' && parsed.pathname !== '/') {
      throw usageError(`invalid --url '${url}': a gRPC URL has no path`);
    }
    return { kind: 'grpc', address: parsed.host, tls: scheme === 'grpcs', url: `${scheme}://${parsed.host}` };
  }
  if (scheme === 'ws' || scheme === 'wss') {
    if (parsed.hostname === '') throw usageError(`invalid --url '${url}': a WebSocket URL needs a host`);
    if (parsed.pathname === '/' || parsed.pathname === '') parsed.pathname = defaultWebSocketPath;
    return { kind: 'websocket', url: parsed.toString() };
  }
  throw usageError(`invalid --url '${url}': unknown scheme '${scheme}:' (use grpc, grpcs, ws or wss)`);
}

/** The endpoint as users wrote it, for messages. */
export function describeEndpoint(endpoint: Endpoint): string {
  return endpoint.kind === 'local' ? 'the local host' : endpoint.url;
}

/**
 * Resolve flags and environment (`PROCWIRE_URL`, `PROCWIRE_TOKEN`, `PROCWIRE_TOKEN_FILE`) into a
 * connection. Flags win over the environment.
 */
export function resolveConnection(
  flags: ConnectionFlags,
  env: Readonly<Record<string, string | undefined>>,
): Connection {
  const endpoint = parseEndpoint(flags.url ?? env['PROCWIRE_URL']);
  if (flags.token !== undefined && flags.tokenFile !== undefined) {
    throw usageError('give either --token or --token-file, not both');
  }
  let token: string | undefined;
  let tokenSource: string | undefined;
  if (flags.token !== undefined) {
    token = flags.token;
    tokenSource = '--token';
  } else if (flags.tokenFile !== undefined) {
    token = readToken(flags.tokenFile);
    tokenSource = `--token-file ${flags.tokenFile}`;
  } else if (env['PROCWIRE_TOKEN'] !== undefined && env['PROCWIRE_TOKEN'] !== '') {
    token = env['PROCWIRE_TOKEN'];
    tokenSource = 'PROCWIRE_TOKEN';
  } else if (env['PROCWIRE_TOKEN_FILE'] !== undefined && env['PROCWIRE_TOKEN_FILE'] !== '') {
    token = readToken(env['PROCWIRE_TOKEN_FILE']);
    tokenSource = `PROCWIRE_TOKEN_FILE ${env['PROCWIRE_TOKEN_FILE']}`;
  }
  const retryTimeoutMs = flags.giveUpSeconds === undefined ? undefined : Math.round(flags.giveUpSeconds * 1000);
  const firstConnectMs =
    flags.waitForServerSeconds === undefined ? defaultFirstConnectMs : Math.round(flags.waitForServerSeconds * 1000);
  return { endpoint, token, tokenSource, retryTimeoutMs, firstConnectMs };
}

/** Read a token file; the token is its first line, without surrounding whitespace. */
function readToken(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new CliError(`cannot read the token file ${path} (${reason})`, ExitCode.Usage);
  }
  const token = text.split('\n', 1)[0]?.trim() ?? '';
  if (token === '') throw new CliError(`the token file ${path} is empty`, ExitCode.Usage);
  return token;
}
