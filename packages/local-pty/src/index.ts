/**
 * `@procwire/local-pty`: the procwire host. `localTransport()` runs processes on this machine
 * (child_process for pipes, node-pty for terminals) behind the core transport contract.
 */
export { localTransport } from './local-transport.js';
export type { LocalTransportOptions } from './options.js';
export { BASE_ENV_KEYS, FALLBACK_PATH } from './environment.js';
export {
  DEFAULT_KILL_GRACE_MS,
  DEFAULT_MAX_ARGV_BYTES,
  DEFAULT_MAX_PROCESSES,
  DEFAULT_OUTPUT_WINDOW_BYTES,
  DEFAULT_RETENTION_MS,
} from '@procwire/core/transport';
export { DEFAULT_OUTPUT_PIPE_BYTES } from './options.js';
