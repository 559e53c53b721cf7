/**
 * grpc-js answers a request it cannot decode with a bare INTERNAL "Error deserializing request".
 * These wrappers turn an undecodable request into a marker instead, so the handler can answer
 * INVALID_ARGUMENT with what was wrong (bad protobuf, an offset above 2^53 - 1, ...).
 */
import { ErrorCode, ProcwireError } from '@procwire/core/transport';

const malformed = Symbol('procwire.malformedRequest');

interface MethodDefinition {
  readonly path: string;
  readonly requestDeserialize: (bytes: Buffer) => unknown;
}

/** `service` with every request deserializer made tolerant (same types, same wire format). */
export function withTolerantDeserializers<S extends Record<string, MethodDefinition>>(service: S): S {
  const tolerant: Record<string, MethodDefinition> = {};
  for (const [name, method] of Object.entries(service)) {
    tolerant[name] = {
      ...method,
      requestDeserialize: (bytes: Buffer) => {
        try {
          return method.requestDeserialize(bytes);
        } catch (error) {
          const reason = error instanceof Error ? error.message : String(error);
          return { [malformed]: `the ${method.path} request could not be decoded: ${reason}` };
        }
      },
    };
  }
  return tolerant as S;
}

/** Throws `invalid_argument` when `request` is the marker of an undecodable request. */
export function checkDecoded(request: unknown): void {
  if (typeof request === 'object' && request !== null && malformed in request) {
    throw new ProcwireError(ErrorCode.InvalidArgument, String((request as Record<symbol, unknown>)[malformed]));
  }
}
