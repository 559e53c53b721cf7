/**
 * One error class for everything procwire reports, with a closed set of codes.
 *
 * `instanceof ProcwireError` is a shape check (brand symbol), not a prototype check, so two
 * installed copies of `@procwire/core` (an app and an adapter resolving different versions) still
 * agree on what a procwire error is.
 */

/** Every code a `ProcwireError` can carry. Transports map their wire errors onto these. */
export const ErrorCode = {
  /** No such process (or it belongs to another principal), or the command does not exist. */
  NotFound: 'not_found',
  /** The process ran past its `timeoutMs` and was killed. */
  Timeout: 'timeout',
  /** An AbortSignal ended the operation (and, for `exec`'s signal, killed the process). */
  Aborted: 'aborted',
  /** Missing or wrong token. */
  Unauthenticated: 'unauthenticated',
  /** The principal may not do this. */
  PermissionDenied: 'permission_denied',
  /** The request itself is wrong: empty argv, NUL bytes, bad id, unknown signal name, ... */
  InvalidArgument: 'invalid_argument',
  /** An offset outside what the host has: a gap in input, output already acknowledged. */
  OutOfRange: 'out_of_range',
  /** The request is well formed but the state forbids it: write after EOF, resize without a pty. */
  FailedPrecondition: 'failed_precondition',
  /** A limit was reached: processes, argv bytes, buffered bytes, frame size. */
  ResourceExhausted: 'resource_exhausted',
  /** Transient: the host or network cannot be reached now; the same call may succeed later. */
  Unavailable: 'unavailable',
  /** A stream reader already has its consumer. */
  StreamConsumed: 'stream_consumed',
  /** The host that ran the process is gone (restarted), and the process with it. */
  ProcessLost: 'process_lost',
  /** The client or transport was closed. */
  Closed: 'closed',
  /** A bug or an unexpected failure; the message says more. */
  Internal: 'internal',
} as const;

/** A code from {@link ErrorCode}. */
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

const errorCodes: ReadonlySet<string> = new Set(Object.values(ErrorCode));

/** True for a string that is one of the {@link ErrorCode} values. */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && errorCodes.has(value);
}

const brand = Symbol.for('@procwire/core/ProcwireError');

/** Extra facts an error may carry, in the shape of a result (as execa does). */
export interface ProcwireErrorDetails {
  /** The process the error is about. */
  readonly processId?: string;
  /** The command, for errors about a process. */
  readonly argv?: readonly string[];
  /** The exit code, when the process ended (a timeout or an abort still yields one). */
  readonly exitCode?: number;
  /** The signal that ended the process, if any. */
  readonly signal?: string;
  /** True when the process was killed because it ran past its timeout. */
  readonly timedOut?: boolean;
  /** The underlying error. */
  readonly cause?: unknown;
}

/**
 * The error procwire throws. `code` is always one of {@link ErrorCode}; `message` is one line a
 * person can act on.
 */
export class ProcwireError extends Error {
  readonly code: ErrorCode;
  readonly processId?: string;
  readonly argv?: readonly string[];
  readonly exitCode?: number;
  readonly signal?: string;
  readonly timedOut?: boolean;

  constructor(code: ErrorCode, message: string, details: ProcwireErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'ProcwireError';
    this.code = code;
    if (details.processId !== undefined) this.processId = details.processId;
    if (details.argv !== undefined) this.argv = details.argv;
    if (details.exitCode !== undefined) this.exitCode = details.exitCode;
    if (details.signal !== undefined) this.signal = details.signal;
    if (details.timedOut !== undefined) this.timedOut = details.timedOut;
  }

  /** Brand check: true for any procwire error, from this copy of the package or another. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return (
      typeof value === 'object' &&
      value !== null &&
      (value as Record<symbol, unknown>)[brand] === true &&
      isErrorCode((value as { code?: unknown }).code)
    );
  }

  /**
   * Normalise anything thrown into a `ProcwireError`: a procwire error is returned as it is; an
   * `AbortError` becomes `aborted`; anything else becomes `internal` (or `fallback`), keeping the
   * original as `cause`.
   */
  static from(error: unknown, fallback: ErrorCode = ErrorCode.Internal): ProcwireError {
    if (error instanceof ProcwireError) return error;
    if (isAbortError(error)) {
      return new ProcwireError(ErrorCode.Aborted, messageOf(error) || 'The operation was aborted', {
        cause: error,
      });
    }
    return new ProcwireError(fallback, messageOf(error) || 'Unknown error', { cause: error });
  }
}

Object.defineProperty(ProcwireError.prototype, brand, { value: true });

/** True when `error` is a `ProcwireError` with this code. */
export function isProcwireError(error: unknown, code?: ErrorCode): error is ProcwireError {
  return error instanceof ProcwireError && (code === undefined || error.code === code);
}

function isAbortError(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    ((error as { name?: unknown }).name === 'AbortError' ||
      (error as { name?: unknown }).name === 'TimeoutError')
  );
}

function messageOf(error: unknown): string {
  if (typeof error === 'string') return error;
  if (typeof error === 'object' && error !== null) {
    const message = (error as { message?: unknown }).message;
    if (typeof message === 'string') return message;
  }
  return '';
}
