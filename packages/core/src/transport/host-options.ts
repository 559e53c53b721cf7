/**
 * What every host in this repo (`localTransport`, `dockerTransport`) shares in its options: the
 * defaults of the options they have in common, and the checks that turn a bad value into
 * `invalid_argument` naming the host and the option. One place, so the hosts cannot drift apart.
 */
import { ErrorCode, ProcwireError } from '../errors.js';
import { MAX_TIMER_MS } from './validate.js';

/** Unacknowledged output kept per stream before the host stops reading the process. */
export const DEFAULT_OUTPUT_WINDOW_BYTES = 8 * 1024 * 1024;
/** Unacknowledged output kept for a stream being read, borrowing past the window from the pool. */
export const DEFAULT_OUTPUT_BURST_BYTES = 8 * 1024 * 1024;
/** The size of the pool a host makes when given none. */
export const DEFAULT_OUTPUT_POOL_BYTES = 64 * 1024 * 1024;
/** How long an exited process stays queryable. */
export const DEFAULT_RETENTION_MS = 5 * 60 * 1000;
/** The most processes running at once. */
export const DEFAULT_MAX_PROCESSES = 256;
/** The most bytes of argv (UTF-8, one NUL per item). */
export const DEFAULT_MAX_ARGV_BYTES = 256 * 1024;
/** The most bytes of a request's env (UTF-8 `KEY=VALUE` and a NUL per entry). */
export const DEFAULT_MAX_ENV_BYTES = 256 * 1024;
/** After SIGTERM (a timeout) the host waits this long before SIGKILL. */
export const DEFAULT_KILL_GRACE_MS = 2000;

/** The checks of one host's options; every error starts with `<owner> option <name>`. */
export class HostOptionChecks {
  /** `owner`: the function the options are given to, as users call it (`localTransport`). */
  constructor(private readonly owner: string) {}

  /** `value`, or `fallback` when absent; a safe integer above 0. */
  positiveInteger(name: string, value: number | undefined, fallback: number): number {
    if (value === undefined) return fallback;
    if (!Number.isSafeInteger(value) || value <= 0) throw this.invalid(name, 'must be a positive integer', value);
    return value;
  }

  /** `value`, or 0 when absent; a safe integer of 0 or more. */
  nonNegativeInteger(name: string, value: number | undefined): number {
    if (value === undefined) return 0;
    if (!Number.isSafeInteger(value) || value < 0) throw this.invalid(name, 'must be a non-negative integer', value);
    return value;
  }

  /**
   * `value`, or `fallback` when absent; milliseconds in 1..{@link MAX_TIMER_MS}. Node fires a
   * longer timer after 1 ms, so a retention of a month would forget a process at once.
   */
  durationMs(name: string, value: number | undefined, fallback: number): number {
    if (value === undefined) return fallback;
    if (!Number.isInteger(value) || value < 1 || value > MAX_TIMER_MS) {
      throw this.invalid(name, `must be an integer number of milliseconds in 1..${MAX_TIMER_MS}`, value);
    }
    return value;
  }

  /** An `invalid_argument` for option `name`: "<owner> option <name> <rule>, got <value>". */
  invalid(name: string, rule: string, value: unknown): ProcwireError {
    return new ProcwireError(ErrorCode.InvalidArgument, `${this.owner} option ${name} ${rule}, got ${String(value)}`);
  }
}
