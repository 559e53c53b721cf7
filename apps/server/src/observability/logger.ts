/**
 * The server's pino logger: JSON lines with the fields we log (processId, principal, requestId).
 * Tokens are never passed to a log call; the redaction below is a second line of defence for any
 * field that could carry one by accident.
 */
import { type DestinationStream, type Logger, pino } from 'pino';

/** The paths pino censors, whatever is logged. */
export const redactedPaths = [
  'token',
  'tokens',
  'authorization',
  '*.token',
  '*.tokens',
  '*.authorization',
  'req.headers.authorization',
  'req.headers["sec-websocket-protocol"]',
  'config.tokens',
];

/** A pino logger at `level`, writing to `destination` (default stdout). */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service: 'procwire-server' },
    redact: { paths: redactedPaths, censor: '[redacted]' },
  };
  return destination === undefined ? pino(options) : pino(options, destination);
}

export type { Logger };
