/**
 * The `procwire-server` command, minus the choice of adapters: reads the configuration, starts the
 * app, prints where it listens and how to connect, and shuts down gracefully on SIGTERM/SIGINT.
 * `main.ts` calls it with the concrete backend and fronts.
 */
import { OutputPool, type Transport } from '@procwire/core/transport';
import { createServerApp, type ServerAddresses } from './app.js';
import { ConfigError } from './config/config-error.js';
import { helpText } from './config/help.js';
import { loadConfig } from './config/load-config.js';
import { configWarnings } from './config/warnings.js';
import type { ServerConfig } from './config/server-config.js';
import type { StartGrpcFront, StartWebSocketFront } from './fronts/front.js';
import { createLogger } from './observability/logger.js';

/** Exit codes of `procwire-server`. */
export const ExitCode = {
  /** Ran and shut down gracefully (or printed --help). */
  Ok: 0,
  /** Could not start: an address in use, a backend failure. */
  StartFailed: 1,
  /** The configuration is invalid (one line on stderr names the key). */
  BadConfig: 2,
} as const;

/** The adapters `main.ts` picks. */
export interface ServerAdapters {
  /**
   * Builds the backend from the configuration. Its hosts lend room past their output windows from
   * `outputPool` (sized by `--output-pool-bytes`), one pool for the whole server.
   */
  readonly createTransport: (config: ServerConfig, outputPool: OutputPool) => Transport | Promise<Transport>;
  readonly grpcFront: StartGrpcFront;
  readonly websocketFront: StartWebSocketFront;
}

/** Runs the command until a signal shuts it down; resolves with the exit code. */
export async function runServer(adapters: ServerAdapters, argv: readonly string[]): Promise<number> {
  let loaded: ReturnType<typeof loadConfig>;
  try {
    loaded = loadConfig({ argv, env: process.env });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`procwire-server: ${error.message}\n`);
    return ExitCode.BadConfig;
  }
  if (loaded.kind === 'help') {
    process.stdout.write(`${helpText()}\n`);
    return ExitCode.Ok;
  }
  const { config } = loaded;
  const logger = createLogger(config.logLevel, undefined, config.logFormat);
  for (const warning of configWarnings(config)) {
    process.stderr.write(`procwire-server: WARNING: ${warning}\n`);
    logger.warn(warning);
  }
  let transport: Transport;
  const outputPool = new OutputPool(config.limits.outputPoolBytes);
  try {
    transport = await adapters.createTransport(config, outputPool);
  } catch (error) {
    process.stderr.write(`procwire-server: cannot create the backend: ${describe(error)}\n`);
    return ExitCode.StartFailed;
  }
  const app = createServerApp({
    transport,
    outputPool,
    config,
    logger,
    grpcFront: adapters.grpcFront,
    websocketFront: adapters.websocketFront,
  });
  let addresses: ServerAddresses;
  try {
    addresses = await app.start();
  } catch (error) {
    logger.fatal({ err: error }, 'could not start');
    process.stderr.write(`procwire-server: could not start: ${describe(error)}\n`);
    return ExitCode.StartFailed;
  }
  process.stderr.write(banner(config, addresses));

  const signalled = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  logger.info({ signal: signalled }, 'signal received');
  const onRepeat = (): void => logger.warn('already shutting down');
  process.on('SIGTERM', onRepeat);
  process.on('SIGINT', onRepeat);
  await app.close();
  return ExitCode.Ok;
}

/** The human-readable start message (stderr; the JSON log stays on stdout). */
function banner(config: ServerConfig, addresses: ServerAddresses): string {
  const generated = config.tokenSource.kind === 'generated' ? Object.keys(config.tokens)[0] : undefined;
  const tokenText = generated ?? '<token>';
  const page = generated === undefined ? addresses.http + '/' : `${addresses.http}/#token=${generated}`;
  const lines = [
    'procwire-server is listening',
    `  web terminal  ${page}`,
    `  gRPC          ${addresses.grpc ?? '(off)'}`,
    `  WebSocket     ${addresses.websocket ?? '(off)'}`,
    `  metrics       ${addresses.http}/metrics   health ${addresses.http}/healthz`,
    generated === undefined
      ? `  tokens        from ${config.tokenSource.kind === 'file' ? config.tokenSource.file : ''}`
      : `  token         ${generated}   (principal "local", generated for this run; --tokens-file sets your own)`,
    '',
    '  connect from code:',
    `    createClient(grpcTransport({ address: '${addresses.grpc ?? ''}', token: '${tokenText}' }))`,
    `    createClient(websocketTransport({ url: '${addresses.websocket ?? ''}', token: '${tokenText}' }))`,
    '',
    'Press Ctrl-C to stop.',
    '',
  ];
  return lines.join('\n');
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
