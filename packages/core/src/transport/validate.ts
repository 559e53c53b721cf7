/**
 * Checks every host and server applies to requests before acting on them, so bad input gets the
 * same clear `invalid_argument` everywhere.
 */
import { ErrorCode, ProcwireError } from '../errors.js';
import type { OutputFd, StartRequest, TerminalSize } from './contract.js';

const processIdPattern = /^[A-Za-z0-9._:-]{1,128}$/;
const signalPattern = /^SIG[A-Z0-9+-]{1,16}$/;

function invalid(message: string): ProcwireError {
  return new ProcwireError(ErrorCode.InvalidArgument, message);
}

/** Throws `invalid_argument` unless `processId` is 1..128 characters of `[A-Za-z0-9._:-]`. */
export function validateProcessId(processId: unknown): asserts processId is string {
  if (typeof processId !== 'string' || !processIdPattern.test(processId)) {
    throw invalid(`process id must be 1..128 characters of [A-Za-z0-9._:-], got ${JSON.stringify(processId)}`);
  }
}

/** Throws `invalid_argument` unless `fd` is 1 or 2. */
export function validateFd(fd: unknown): asserts fd is OutputFd {
  if (fd !== 1 && fd !== 2) throw invalid(`fd must be 1 (stdout) or 2 (stderr), got ${JSON.stringify(fd)}`);
}

/** Throws `invalid_argument` unless `offset` is a non-negative safe integer. */
export function validateOffset(offset: unknown, what = 'offset'): asserts offset is number {
  if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0) {
    throw invalid(`${what} must be a non-negative integer, got ${JSON.stringify(offset)}`);
  }
}

/** Throws `invalid_argument` unless `signal` looks like a POSIX signal name (`SIGTERM`). */
export function validateSignalName(signal: unknown): asserts signal is `SIG${string}` {
  if (typeof signal !== 'string' || !signalPattern.test(signal)) {
    throw invalid(`signal must be a name like "SIGTERM", got ${JSON.stringify(signal)}`);
  }
}

/** Throws `invalid_argument` unless cols and rows are integers in 1..65535. */
export function validateTerminalSize(size: unknown): asserts size is TerminalSize {
  const { cols, rows } = (size ?? {}) as Partial<TerminalSize>;
  for (const [name, value] of [
    ['cols', cols],
    ['rows', rows],
  ] as const) {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 65535) {
      throw invalid(`terminal ${name} must be an integer in 1..65535, got ${JSON.stringify(value)}`);
    }
  }
}

/**
 * The longest timer Node keeps (2^31 - 1 ms, about 24.8 days): a longer one fires after 1 ms. Every
 * duration a host accepts (`timeoutMs`, its own options) must lie in 1..MAX_TIMER_MS.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** Limits a host or server applies to `start`. */
export interface StartLimits {
  /** The most bytes of argv (UTF-8, with one NUL per item, as the kernel counts); default 256 KiB. */
  readonly maxArgvBytes?: number;
  /** The most bytes of the request's env, counted as UTF-8 `KEY=VALUE` plus a NUL each; default 256 KiB. */
  readonly maxEnvBytes?: number;
  /**
   * The most entries of the request's env (set and removed keys together); default 4096. Each
   * entry costs decoding and checking far beyond its bytes: a bound on bytes alone lets 70,000
   * tiny entries hold a server's event loop for a quarter of a second.
   */
  readonly maxEnvEntries?: number;
}

/** The default of {@link StartLimits.maxEnvEntries}. */
export const DEFAULT_MAX_ENV_ENTRIES = 4096;

/**
 * Throws `resource_exhausted` when an env of `count` entries is over `maxEnvEntries` (default
 * {@link DEFAULT_MAX_ENV_ENTRIES}). A server may count entries in a request before decoding it.
 */
export function validateEnvEntries(count: number, maxEnvEntries = DEFAULT_MAX_ENV_ENTRIES): void {
  if (count > maxEnvEntries) {
    throw new ProcwireError(ErrorCode.ResourceExhausted, `env has ${count} entries, over the limit of ${maxEnvEntries} entries`);
  }
}

/** Throws `invalid_argument` naming `what` unless `value` is an integer in 1..{@link MAX_TIMER_MS}. */
export function validateDurationMs(value: unknown, what: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_TIMER_MS) {
    throw invalid(`${what} must be an integer number of milliseconds in 1..${MAX_TIMER_MS}, got ${JSON.stringify(value)}`);
  }
}

const encoder = new TextEncoder();

function utf8Length(text: string): number {
  // ASCII (the usual case) is one byte per code unit: no encoding needed to count it.
  return /^[\x00-\x7f]*$/.test(text) ? text.length : encoder.encode(text).byteLength;
}

/**
 * Throws `invalid_argument` for a malformed start (bad id, empty or non-string argv, NUL bytes,
 * bad env, bad pty, bad timeout) and `resource_exhausted` for an argv or env over its limits.
 */
export function validateStartRequest(request: StartRequest, limits: StartLimits = {}): void {
  if (typeof request !== 'object' || request === null) throw invalid('start request must be an object');
  validateProcessId(request.processId);
  const { argv } = request;
  if (!Array.isArray(argv) || argv.length === 0) throw invalid('argv must be a non-empty array of strings');
  let argvBytes = 0;
  argv.forEach((item: unknown, index) => {
    if (typeof item !== 'string') throw invalid(`argv[${index}] must be a string, got ${typeof item}`);
    if (item.includes('\0')) throw invalid(`argv[${index}] contains a NUL byte`);
    argvBytes += utf8Length(item) + 1;
  });
  if (argv[0] === '') throw invalid('argv[0] (the command) must not be empty');
  const maxArgvBytes = limits.maxArgvBytes ?? 256 * 1024;
  if (argvBytes > maxArgvBytes) {
    throw new ProcwireError(
      ErrorCode.ResourceExhausted,
      `argv is ${argvBytes} bytes, over the limit of ${maxArgvBytes} bytes`,
    );
  }
  if (request.cwd !== undefined) {
    if (typeof request.cwd !== 'string' || request.cwd === '') throw invalid('cwd must be a non-empty string');
    if (request.cwd.includes('\0')) throw invalid('cwd contains a NUL byte');
  }
  if (request.env !== undefined) {
    if (typeof request.env !== 'object' || request.env === null) throw invalid('env must be an object');
    const entries = Object.entries(request.env);
    validateEnvEntries(entries.length, limits.maxEnvEntries);
    let envBytes = 0;
    for (const [key, value] of entries) {
      if (key === '' || key.includes('=') || key.includes('\0')) {
        throw invalid(`env key ${JSON.stringify(key)} is not valid (empty, or contains "=" or NUL)`);
      }
      if (value !== undefined && typeof value !== 'string') throw invalid(`env ${key} must be a string or undefined`);
      if (value?.includes('\0')) throw invalid(`env ${key} contains a NUL byte`);
      if (value !== undefined) envBytes += utf8Length(key) + 1 + utf8Length(value) + 1;
    }
    const maxEnvBytes = limits.maxEnvBytes ?? 256 * 1024;
    if (envBytes > maxEnvBytes) {
      throw new ProcwireError(
        ErrorCode.ResourceExhausted,
        `env is ${envBytes} bytes (KEY=VALUE and a NUL each), over the limit of ${maxEnvBytes} bytes`,
      );
    }
  }
  for (const name of ['stdout', 'stderr'] as const) {
    if (request[name] !== 'pipe' && request[name] !== 'devnull') {
      throw invalid(`${name} mode must be "pipe" or "devnull", got ${JSON.stringify(request[name])}`);
    }
  }
  if (request.pty !== undefined) {
    validateTerminalSize(request.pty);
    if (typeof request.pty.term !== 'string' || request.pty.term === '' || request.pty.term.includes('\0')) {
      throw invalid('pty term must be a non-empty string');
    }
  }
  if (request.timeoutMs !== undefined) validateDurationMs(request.timeoutMs, 'timeoutMs');
}
