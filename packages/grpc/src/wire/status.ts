/**
 * procwire error codes <-> gRPC status codes. The server also sends the exact procwire code in the
 * trailer `procwire-error-code`, so codes with no exact gRPC twin (timeout, process_lost, ...)
 * survive the trip; a status without that trailer came from the network or the gRPC library. The
 * error's details (process id, argv, exit code, signal, timed out) travel as JSON in the binary
 * trailer `procwire-error-details-bin`.
 */
import { Metadata, type ServiceError, status } from '@grpc/grpc-js';
import { decodeWireError, ErrorCode, encodeWireError, isErrorCode, ProcwireError } from '@procwire/core/transport';

/** The trailer that carries the exact procwire error code. */
export const errorCodeTrailer = 'procwire-error-code';
/** The binary trailer that carries the error's details as UTF-8 JSON. */
export const errorDetailsTrailer = 'procwire-error-details-bin';
/** Past this the details are left out (argv first): HTTP/2 peers cap a response's headers at 8 KiB or so. */
const maxDetailsTrailerBytes = 4096;

const statusOfCode: Record<ErrorCode, status> = {
  not_found: status.NOT_FOUND,
  timeout: status.DEADLINE_EXCEEDED,
  aborted: status.CANCELLED,
  unauthenticated: status.UNAUTHENTICATED,
  permission_denied: status.PERMISSION_DENIED,
  invalid_argument: status.INVALID_ARGUMENT,
  out_of_range: status.OUT_OF_RANGE,
  failed_precondition: status.FAILED_PRECONDITION,
  resource_exhausted: status.RESOURCE_EXHAUSTED,
  unavailable: status.UNAVAILABLE,
  stream_consumed: status.FAILED_PRECONDITION,
  process_lost: status.DATA_LOSS,
  closed: status.UNAVAILABLE,
  internal: status.INTERNAL,
};

/** The gRPC status a procwire error code is sent as. */
export function grpcStatusOf(code: ErrorCode): status {
  return statusOfCode[code];
}

/** A gRPC error object (what grpc-js handlers pass to their callback) for a procwire error. */
export function toServiceError(error: unknown): Partial<ServiceError> & { code: status; details: string } {
  const procwireError = ProcwireError.from(error);
  const metadata = new Metadata();
  metadata.set(errorCodeTrailer, procwireError.code);
  const details = detailsTrailer(procwireError);
  if (details !== undefined) metadata.set(errorDetailsTrailer, details);
  return {
    name: 'ProcwireError',
    message: procwireError.message,
    code: grpcStatusOf(procwireError.code),
    details: procwireError.message,
    metadata,
  };
}

/** The error's details as the trailer's bytes; `undefined` when it has none (or they do not fit). */
function detailsTrailer(error: ProcwireError): Buffer | undefined {
  const { code: _code, message: _message, ...details } = encodeWireError(error);
  if (Object.keys(details).length === 0) return undefined;
  let bytes = Buffer.from(JSON.stringify(details));
  if (bytes.byteLength > maxDetailsTrailerBytes && details.argv !== undefined) {
    const { argv: _argv, ...withoutArgv } = details;
    bytes = Buffer.from(JSON.stringify(withoutArgv));
  }
  return bytes.byteLength <= maxDetailsTrailerBytes ? bytes : undefined;
}

/** The details a server sent in the trailer (none when absent or malformed). */
function detailsFromTrailer(error: ServiceError, code: ErrorCode): Record<string, unknown> {
  const bytes = error.metadata?.get(errorDetailsTrailer)[0];
  if (!Buffer.isBuffer(bytes)) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch {
    return {};
  }
  if (typeof parsed !== 'object' || parsed === null) return {};
  const decoded = decodeWireError({ ...parsed, code, message: '' });
  const details: Record<string, unknown> = {};
  for (const key of ['processId', 'argv', 'exitCode', 'signal', 'timedOut'] as const) {
    if (decoded[key] !== undefined) details[key] = decoded[key];
  }
  return details;
}

// Without the trailer, these come from the connection, not the host: retry them.
const transientStatuses: ReadonlySet<status> = new Set([
  status.UNAVAILABLE,
  status.DEADLINE_EXCEEDED,
  status.CANCELLED,
]);

const codeOfStatus: Partial<Record<status, ErrorCode>> = {
  [status.NOT_FOUND]: ErrorCode.NotFound,
  [status.UNAUTHENTICATED]: ErrorCode.Unauthenticated,
  [status.PERMISSION_DENIED]: ErrorCode.PermissionDenied,
  [status.INVALID_ARGUMENT]: ErrorCode.InvalidArgument,
  [status.OUT_OF_RANGE]: ErrorCode.OutOfRange,
  [status.FAILED_PRECONDITION]: ErrorCode.FailedPrecondition,
  [status.RESOURCE_EXHAUSTED]: ErrorCode.ResourceExhausted,
  [status.DATA_LOSS]: ErrorCode.ProcessLost,
  [status.UNIMPLEMENTED]: ErrorCode.Internal,
};

// grpc-js reports a connection reset mid-stream as INTERNAL/UNKNOWN with these words.
const connectionFailure = /RST_STREAM|connection|socket|ECONNRESET|EPIPE|GOAWAY|http2|stream closed|premature close/i;

function isServiceError(error: unknown): error is ServiceError {
  return typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'number';
}

/**
 * A procwire error for anything a grpc-js call failed with. The server's message is kept; a
 * status that came from the network (UNAVAILABLE, DEADLINE_EXCEEDED, CANCELLED without the
 * procwire trailer, a reset stream) becomes `unavailable`, which core retries.
 */
export function fromServiceError(error: unknown, context?: { processId?: string }): ProcwireError {
  if (error instanceof ProcwireError) return error;
  if (!isServiceError(error)) return ProcwireError.from(error, ErrorCode.Unavailable);
  const message = error.details || error.message;
  const details = { cause: error, ...(context?.processId === undefined ? {} : { processId: context.processId }) };
  const sent = error.metadata?.get(errorCodeTrailer)[0];
  if (typeof sent === 'string' && isErrorCode(sent)) {
    return new ProcwireError(sent, message, { ...details, ...detailsFromTrailer(error, sent) });
  }
  if (transientStatuses.has(error.code)) return new ProcwireError(ErrorCode.Unavailable, message, details);
  const mapped = codeOfStatus[error.code];
  if (mapped !== undefined) return new ProcwireError(mapped, message, details);
  if (connectionFailure.test(message)) return new ProcwireError(ErrorCode.Unavailable, message, details);
  return new ProcwireError(ErrorCode.Internal, message, details);
}
