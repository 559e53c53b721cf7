/**
 * grpc-js answers a request it cannot decode with a bare INTERNAL "Error deserializing request".
 * These wrappers turn an undecodable request into a marker instead, so the handler can answer
 * INVALID_ARGUMENT with what was wrong (bad protobuf, an offset above 2^53 - 1, ...).
 *
 * They also keep decoding off the hot path. Prechecks run on a request's bytes first: a refused
 * request is never decoded, and its handler answers with the precheck's error. And grpc-js
 * deserializes every request that arrived in one socket read in the same turn of the event loop,
 * so the large requests of the methods that ask for it are decoded later, each in a turn of its
 * own (see {@link decodedRequest}): eight big Starts cost eight short pauses, not one long one.
 */
import { ErrorCode, ownTurn, ProcwireError } from '@procwire/core/transport';

const refused = Symbol('procwire.refusedRequest');
const pending = Symbol('procwire.pendingRequest');

/** Requests above this size wait for a turn of their own to be decoded (when their method asks). */
const DEFER_ABOVE_BYTES = 16 * 1024;

interface MethodDefinition {
  readonly path: string;
  readonly requestDeserialize: (bytes: Buffer) => unknown;
}

/** A check of a request's encoded bytes, run before decoding: throws a `ProcwireError` to refuse it. */
export type RequestPrecheck = (bytes: Buffer) => void;

/** How one method's requests are taken. */
export interface RequestHandling {
  /** Runs on the bytes before anything else. */
  readonly precheck?: RequestPrecheck;
  /** Large requests are decoded by {@link decodedRequest}, in a turn of the event loop of their own. */
  readonly deferLarge?: boolean;
}

/**
 * `service` with every request deserializer made tolerant (same types, same wire format), and
 * the `handling` of the methods it names.
 */
export function withTolerantDeserializers<S extends Record<string, MethodDefinition>>(
  service: S,
  handling: Partial<Record<keyof S, RequestHandling>> = {},
): S {
  const tolerant: Record<string, MethodDefinition> = {};
  for (const [name, method] of Object.entries(service)) {
    const { precheck, deferLarge = false }: RequestHandling = handling[name] ?? {};
    const decode = (bytes: Buffer): unknown => {
      try {
        return method.requestDeserialize(bytes);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        const message = `the ${method.path} request could not be decoded: ${reason}`;
        return { [refused]: new ProcwireError(ErrorCode.InvalidArgument, message) };
      }
    };
    tolerant[name] = {
      ...method,
      requestDeserialize: (bytes: Buffer) => {
        try {
          precheck?.(bytes);
        } catch (error) {
          return { [refused]: error };
        }
        if (deferLarge && bytes.byteLength > DEFER_ABOVE_BYTES) return { [pending]: () => decode(bytes) };
        return decode(bytes);
      },
    };
  }
  return tolerant as S;
}

/** Throws the refusal when `request` is the marker of a refused or undecodable request. */
export function checkDecoded(request: unknown): void {
  if (typeof request === 'object' && request !== null && refused in request) {
    throw (request as Record<symbol, unknown>)[refused];
  }
}

/**
 * The request itself, checked as {@link checkDecoded} does; a deferred one is decoded in a turn of
 * the event loop of its own (so a promise, only then: small requests stay synchronous). The handler
 * goes on in that turn up to its next await: decoding, converting and checking one large request.
 */
export function decodedRequest<T>(request: T): T | Promise<T> {
  if (typeof request === 'object' && request !== null && pending in request) {
    const decode = (request as unknown as { [pending]: () => T })[pending];
    return ownTurn().then(() => {
      const decoded = decode();
      checkDecoded(decoded);
      return decoded;
    });
  }
  checkDecoded(request);
  return request;
}
