/**
 * The composition root: `createServerApp` wires a backend transport, the fronts and the options
 * into one server. It picks no concrete adapter (that is `main.ts`'s job), so tests build the same
 * app over `memoryTransport()` or `localTransport()`.
 */
import { rename, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { OutputPool, Transport } from '@procwire/core/transport';
import type { ServerConfig } from './config/server-config.js';
import type { FrontOptions, RunningFront, StartGrpcFront, StartWebSocketFront } from './fronts/front.js';
import { DetachTimeoutTransport } from './host/detach-timeout-transport.js';
import { SupervisedTransport, type TerminationReport } from './host/supervised-transport.js';
import { createHttpRoutes } from './http/http-routes.js';
import { createLogger, type Logger } from './observability/logger.js';
import { createServerMetrics, type ServerMetrics } from './observability/metrics.js';
import { RateLimitedLog } from './observability/rate-limited-log.js';
import { HttpConnectionGate } from './http/connection-gate.js';

/** Refused calls are logged at most once per this interval, as one line with their count. */
const AUTH_FAILURE_LOG_INTERVAL_MS = 10_000;

/** What `createServerApp` is built from. */
export interface ServerAppOptions {
  /** The backend that runs the processes; the app closes it on `close()`. */
  readonly transport: Transport;
  /** The pool the backend's hosts borrow output room from, shown in `/metrics`. */
  readonly outputPool?: OutputPool;
  readonly config: ServerConfig;
  /** Default: a pino logger at `config.logLevel` on stdout. */
  readonly logger?: Logger;
  /** The gRPC front; without it gRPC is not served. */
  readonly grpcFront?: StartGrpcFront;
  /** The WebSocket front; without it WebSocket is not served. */
  readonly websocketFront?: StartWebSocketFront;
  /** Where the built web page is; default `dist/public` next to this file. */
  readonly publicDir?: string;
}

/** Where a started app listens. */
export interface ServerAddresses {
  /** `host:port` of gRPC, when served. */
  readonly grpc: string | undefined;
  /** Base URL of HTTP: the web terminal, /metrics, /healthz, /readyz. */
  readonly http: string;
  /** URL of the WebSocket endpoint, when served. */
  readonly websocket: string | undefined;
}

/** A server app: `start()` it, read `addresses`, `close()` it. */
export interface ServerApp {
  /** Listens on every configured address; rejects (and cleans up) if one cannot be bound. */
  start(): Promise<ServerAddresses>;
  /** The addresses; throws before `start()` resolved. */
  readonly addresses: ServerAddresses;
  readonly metrics: ServerMetrics;
  /**
   * Graceful shutdown: stop accepting, tell clients, SIGTERM every process group, wait the grace
   * period, SIGKILL the rest, close everything. Idempotent.
   */
  close(): Promise<TerminationReport>;
}

/** Builds the server app; nothing listens until `start()`. */
export function createServerApp(options: ServerAppOptions): ServerApp {
  const { config } = options;
  const logger = options.logger ?? createLogger(config.logLevel, undefined, config.logFormat);
  const metrics = createServerMetrics();
  // Innermost, so it sees every reader, the gRPC Exec call's included, with its principal.
  const detachable = new DetachTimeoutTransport(options.transport, {
    detachTimeoutMs: config.limits.detachTimeoutMs,
    onHangUp: (processId, principal) => logger.info({ processId, principal }, 'terminal abandoned: SIGHUP sent'),
  });
  const supervised = new SupervisedTransport(
    detachable,
    {
      processes: config.limits.processes,
      processesPerPrincipal: config.limits.processesPerPrincipal,
      reservedProcessesPerPrincipal: config.limits.reservedProcessesPerPrincipal,
      knownPrincipals: [...new Set(Object.values(config.tokens))],
      argvBytes: config.limits.argvBytes,
      envBytes: config.limits.envBytes,
      envEntries: config.limits.envEntries,
      pendingInputBytes: config.limits.pendingInputBytes,
    },
    metrics,
    logger,
  );
  const connectionLimits = {
    maxConnections: config.limits.connections,
    maxConnectionsPerAddress: config.limits.connectionsPerAddress,
    authTimeoutMs: config.limits.authTimeoutMs,
  };
  const httpGate = new HttpConnectionGate(connectionLimits);
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  const authFailureLog = new RateLimitedLog(AUTH_FAILURE_LOG_INTERVAL_MS, (count) =>
    logger.warn({ refused: count, intervalMs: AUTH_FAILURE_LOG_INTERVAL_MS }, 'calls refused: missing or wrong token'),
  );
  const publicDir = options.publicDir ?? fileURLToPath(new URL('./public/', import.meta.url));
  let ready = false;
  let addresses: ServerAddresses | undefined;
  let httpServer: HttpServer | undefined;
  const fronts: RunningFront[] = [];
  let closing: Promise<TerminationReport> | undefined;

  const routes = createHttpRoutes({
    isReady: () => ready,
    renderMetrics: () => {
      metrics.connectionsRefused.set(httpGate.refused, { reason: 'limit' });
      metrics.connectionsRefused.set(httpGate.expired, { reason: 'auth_deadline' });
      // The delay since the previous scrape, so each scrape shows what happened in its interval.
      metrics.eventLoopDelay.set(loopDelay.percentile(99) / 1e9, { quantile: '0.99' });
      metrics.eventLoopDelay.set(loopDelay.max / 1e9, { quantile: '1' });
      if (options.outputPool !== undefined) metrics.outputPoolLentBytes.set(options.outputPool.lentBytes);
      loopDelay.reset();
      return metrics.registry.render();
    },
    publicDir,
    terminalSettings: { websocketPath: config.websocketPath, shell: config.shell },
  });
  const frontOptions: FrontOptions = {
    tokens: config.tokens,
    tls: config.tls === undefined ? undefined : { cert: config.tls.cert, key: config.tls.key },
    idleTimeoutMs: config.limits.idleTimeoutMs,
    maxArgvBytes: config.limits.argvBytes * 2,
    maxEnvBytes: config.limits.envBytes * 2,
    maxEnvEntries: config.limits.envEntries,
    maxPendingInputBytes: config.limits.pendingInputBytes * 2,
    ...connectionLimits,
    allowedOrigins: config.allowedOrigins,
    onAuthFailure: () => {
      metrics.authFailures.inc();
      // A guessing client must not fill the log: a line at most every interval, with the count.
      authFailureLog.record();
    },
  };

  async function start(): Promise<ServerAddresses> {
    try {
      httpServer =
        config.tls === undefined
          ? createHttpServer(routes)
          : createHttpsServer({ cert: config.tls.cert, key: config.tls.key }, routes);
      const server = httpServer;
      httpGate.attach(server);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.httpListen.port, config.httpListen.host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      const httpPort = (server.address() as AddressInfo).port;
      const host = urlHost(config.httpListen.host);
      const http = `${config.tls === undefined ? 'http' : 'https'}://${host}:${httpPort}`;
      const websocketUrl = `${config.tls === undefined ? 'ws' : 'wss'}://${host}:${httpPort}${config.websocketPath}`;
      let websocket: string | undefined;
      if (options.websocketFront !== undefined) {
        const front = await options.websocketFront(supervised, {
          ...frontOptions,
          server,
          path: config.websocketPath,
          url: websocketUrl,
          onAuthenticated: (socket) => httpGate.authenticated(socket),
        });
        fronts.push(front);
        websocket = front.address;
      }
      let grpc: string | undefined;
      if (options.grpcFront !== undefined) {
        const front = await options.grpcFront(supervised, { ...frontOptions, ...config.grpcListen });
        fronts.push(front);
        grpc = front.address;
      }
      addresses = { grpc, http, websocket };
      ready = true;
      loopDelay.enable();
      if (config.readyFile !== undefined) {
        // Written whole then renamed, so a watcher never reads half a file.
        const partial = `${config.readyFile}.${process.pid}.tmp`;
        await writeFile(partial, `${JSON.stringify({ ...addresses, pid: process.pid })}\n`);
        await rename(partial, config.readyFile);
      }
      logger.info({ addresses, tokenSource: config.tokenSource.kind }, 'listening');
      return addresses;
    } catch (error) {
      await close();
      throw error;
    }
  }

  async function shutdown(): Promise<TerminationReport> {
    ready = false;
    loopDelay.disable();
    logger.info({ running: supervised.runningCount, graceMs: config.shutdownGraceMs }, 'shutting down');
    // Stop accepting first; fronts tell their clients while the processes are being ended.
    const server = httpServer;
    server?.close();
    const frontsClosed = Promise.allSettled(fronts.map((front) => front.close()));
    const report = await supervised.terminateAll(config.shutdownGraceMs);
    authFailureLog.flush();
    await frontsClosed;
    await supervised.close();
    if (server !== undefined) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => {
        if (!server.listening) resolve();
        else server.close(() => resolve());
      });
    }
    logger.info(report, 'shut down');
    return report;
  }

  function close(): Promise<TerminationReport> {
    closing ??= shutdown();
    return closing;
  }

  return {
    start,
    close,
    metrics,
    get addresses(): ServerAddresses {
      if (addresses === undefined) throw new Error('the server app has not started');
      return addresses;
    },
  };
}

/** A host as it appears in a URL: IPv6 in brackets, the wildcard as loopback (what a client can dial). */
function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}
