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

/** Limits a host or server applies to `start`. */
export interface StartLimits {
  /** The most bytes of argv (UTF-8, with one NUL per item, as the kernel counts); default 256 KiB. */
  readonly maxArgvBytes?: number;
}

const encoder = new TextEncoder();

/**
 * Throws `invalid_argument` for a malformed start (bad id, empty or non-string argv, NUL bytes,
 * bad env, bad pty, bad timeout) and `resource_exhausted` for an argv over the limit.
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
    argvBytes += encoder.encode(item).byteLength + 1;
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
    for (const [key, value] of Object.entries(request.env)) {
      if (key === '' || key.includes('=') || key.includes('\0')) {
        throw invalid(`env key ${JSON.stringify(key)} is not valid (empty, or contains "=" or NUL)`);
      }
      if (value !== undefined && typeof value !== 'string') throw invalid(`env ${key} must be a string or undefined`);
      if (value?.includes('\0')) throw invalid(`env ${key} contains a NUL byte`);
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
  if (request.timeoutMs !== undefined) {
    if (typeof request.timeoutMs !== 'number' || !Number.isFinite(request.timeoutMs) || request.timeoutMs <= 0) {
      throw invalid(`timeoutMs must be a positive number, got ${JSON.stringify(request.timeoutMs)}`);
    }
  }
}
