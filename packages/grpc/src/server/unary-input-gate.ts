/**
 * A bound on unary `WriteInput` calls in flight per connection, applied when a call's headers
 * arrive: a call past it is refused before its message is read, so a client firing writes without
 * awaiting them makes the server hold (and decode) at most this many messages, not all of them.
 * (Clients stream stdin over `WriteInputCalls`; the unary call is their fallback, one at a time.)
 */
import { type ServerInterceptor, ServerInterceptingCall } from '@grpc/grpc-js';
import { ErrorCode, ProcwireError } from '@procwire/core/transport';
import { procwireServiceName } from '../wire/service.js';
import { toServiceError } from '../wire/status.js';

/** Unary `WriteInput` calls one connection may have in flight; more answer RESOURCE_EXHAUSTED. */
export const MAX_UNARY_WRITES_PER_CONNECTION = 64;

/** The interceptor; `max` calls in flight per peer (`host:port` of the connection). */
export function unaryInputGate(max = MAX_UNARY_WRITES_PER_CONNECTION): ServerInterceptor {
  const path = `/${procwireServiceName}/WriteInput`;
  const inFlight = new Map<string, number>();
  return (method, call) => {
    if (method.path !== path) return new ServerInterceptingCall(call);
    const peer = call.getPeer();
    let counted = false;
    const release = (): void => {
      if (!counted) return;
      counted = false;
      const left = (inFlight.get(peer) ?? 1) - 1;
      if (left === 0) inFlight.delete(peer);
      else inFlight.set(peer, left);
    };
    const intercepting: ServerInterceptingCall = new ServerInterceptingCall(call, {
      start(next) {
        next({
          onReceiveMetadata(metadata, passOn) {
            const open = inFlight.get(peer) ?? 0;
            if (open >= max) {
              const refusal = new ProcwireError(
                ErrorCode.ResourceExhausted,
                `${open} WriteInput calls are in flight on this connection, the most allowed: await each write`,
              );
              const { code, details, metadata: trailers } = toServiceError(refusal);
              intercepting.sendStatus({ code, details, ...(trailers === undefined ? {} : { metadata: trailers }) });
              return;
            }
            inFlight.set(peer, open + 1);
            counted = true;
            passOn(metadata);
          },
          onCancel: release,
        });
      },
      sendStatus(status, next) {
        release();
        next(status);
      },
    });
    return intercepting;
  };
}
