/**
 * The server's pino logger, in one of two formats:
 * - `json`: one JSON line per event with the fields we log (processId, principal, requestId), for
 *   log collectors; the default when stdout is not a terminal.
 * - `human`: short lines for a person at a terminal (the default there), and quiet: events about
 *   single requests (a process started or exited) show only at `--log-level debug` or lower.
 * Tokens are never passed to a log call; the redaction below is a second line of defence for any
 * field that could carry one by accident.
 */
import { type DestinationStream, type Level, type Logger, pino } from 'pino';

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

/** How log lines look: `auto` picks `human` on a terminal, `json` otherwise. */
export type LogFormat = 'auto' | 'human' | 'json';

/** The log formats `--log-format` accepts. */
export const logFormats: readonly LogFormat[] = ['auto', 'human', 'json'];

/** The output a {@link createLogger} writes to: a stream of text, and whether it is a terminal. */
interface LogOutput {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

/**
 * A pino logger at `level`, writing to `destination` (default stdout) as `format` says. With a
 * `destination` and `auto`, the format is `json`.
 */
export function createLogger(level: string, destination?: DestinationStream, format: LogFormat = 'json'): Logger {
  const options = {
    level,
    base: { service: 'procwire-server' },
    redact: { paths: redactedPaths, censor: '[redacted]' },
  };
  const output: LogOutput = destination ?? process.stdout;
  const human = format === 'human' || (format === 'auto' && destination === undefined && output.isTTY === true);
  if (human) return pino(options, humanDestination(output, level));
  return destination === undefined ? pino(options) : pino(options, destination);
}

const levelNames: Readonly<Record<number, string>> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const infoLevel = 30;
/** Fields every line has, or that the human format shows otherwise. */
const omittedFields = new Set(['level', 'time', 'service', 'msg', 'requestId']);

/** Turns pino's JSON lines into `HH:MM:SS LEVEL message key=value ...` lines. */
function humanDestination(output: LogOutput, level: string): DestinationStream {
  const perRequestAtInfo = level === 'debug' || level === 'trace';
  return {
    write(line: string): void {
      let record: Record<string, unknown>;
      try {
        record = JSON.parse(line) as Record<string, unknown>;
      } catch {
        output.write(line);
        return;
      }
      const recordLevel = typeof record['level'] === 'number' ? record['level'] : infoLevel;
      // Quiet by default: a line per request is noise for a person watching the server.
      if (recordLevel <= infoLevel && record['requestId'] !== undefined && !perRequestAtInfo) return;
      output.write(`${humanLine(record, recordLevel)}\n`);
    },
  };
}

function humanLine(record: Record<string, unknown>, level: number): string {
  const time = new Date(typeof record['time'] === 'number' ? record['time'] : Date.now()).toISOString().slice(11, 19);
  const fields = Object.entries(record)
    .filter(([key, value]) => !omittedFields.has(key) && value !== undefined)
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
  const name = levelNames[level] ?? String(level);
  return [time, name.padEnd(5), String(record['msg'] ?? ''), ...fields].join(' ').trimEnd();
}

export type { Level, Logger };
