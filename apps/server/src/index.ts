/**
 * procwire-server as a library: the composition root and its parts, for tests and for embedding.
 * The `procwire-server` command is `main.ts`.
 */
export { ExitCode, runServer, type ServerAdapters } from './run-server.js';
export { createServerApp, type ServerAddresses, type ServerApp, type ServerAppOptions } from './app.js';
export { ConfigError } from './config/config-error.js';
export { helpText } from './config/help.js';
export { type ConfigSources, type LoadedConfig, loadConfig } from './config/load-config.js';
export type {
  Isolation,
  ListenAddress,
  PrincipalUser,
  ServerConfig,
  ServerLimits,
  TlsMaterial,
  TokenSource,
} from './config/server-config.js';
export { generateToken, parseTokensFile, type TokensFile } from './config/tokens.js';
export { configWarnings } from './config/warnings.js';
export type { FrontOptions, RunningFront, StartGrpcFront, StartWebSocketFront } from './fronts/front.js';
export { grpcFront } from './fronts/grpc-front.js';
export { websocketFront } from './fronts/websocket-front.js';
export { SupervisedTransport, type SupervisorLimits, type TerminationReport } from './host/supervised-transport.js';
export { createLogger, type Logger } from './observability/logger.js';
export { createServerMetrics, MetricsRegistry, type ServerMetrics } from './observability/metrics.js';
export { serverNodeFlags } from './node-flags.js';
