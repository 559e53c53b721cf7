/**
 * The Engine's failures as procwire errors: a missing container is `not_found` naming it, a stopped
 * one `failed_precondition`, an engine that cannot be reached `unavailable` (the same call may
 * succeed once it is back).
 */
import { ErrorCode, ProcwireError } from '@procwire/core/transport';

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOENT', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND']);

/** The HTTP status of a dockerode error, if it has one. */
function statusOf(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

/** The engine's own message of a dockerode error, without dockerode's prefix. */
function engineMessage(error: unknown): string {
  const json = (error as { json?: { message?: unknown } } | null)?.json;
  if (typeof json?.message === 'string') return json.message;
  return error instanceof Error ? error.message : String(error);
}

/** `error` from a call about `container`, as a ProcwireError. */
export function engineError(error: unknown, container: string): ProcwireError {
  if (error instanceof ProcwireError) return error;
  const status = statusOf(error);
  if (status === 404) {
    return new ProcwireError(ErrorCode.NotFound, `no container ${JSON.stringify(container)} on the Docker engine`, { cause: error });
  }
  if (status === 409) {
    return new ProcwireError(
      ErrorCode.FailedPrecondition,
      `container ${JSON.stringify(container)} is not running: ${engineMessage(error)}`,
      { cause: error },
    );
  }
  const code = (error as { code?: unknown } | null)?.code;
  if (status === undefined && typeof code === 'string' && UNREACHABLE.has(code)) {
    return new ProcwireError(ErrorCode.Unavailable, `the Docker engine cannot be reached (${code}): ${engineMessage(error)}`, {
      cause: error,
    });
  }
  if (status !== undefined && status >= 500) {
    return new ProcwireError(ErrorCode.Unavailable, `the Docker engine failed (${status}): ${engineMessage(error)}`, { cause: error });
  }
  return new ProcwireError(ErrorCode.Internal, `the Docker engine refused the call: ${engineMessage(error)}`, { cause: error });
}
