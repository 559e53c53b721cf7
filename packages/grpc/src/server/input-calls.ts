/**
 * The server side of one WriteInputCalls call: many independent writes on one HTTP/2 stream, each
 * applied as WriteInput would apply it and answered by its call id. Writes to one process run in
 * arrival order (the offset contract needs that); a write waiting on a full input buffer holds up
 * only its own process.
 */
import type { ServerDuplexStream } from '@grpc/grpc-js';
import type { WriteInputResult } from '@procwire/core/transport';
import type * as pb from '../gen/procwire/v1/procwire.js';
import type { DecodedInputCall } from '../wire/chunk-codecs.js';
import { checkDecoded } from './tolerant-deserializers.js';

/** What {@link serveInputCalls} needs from the service. */
export interface InputCallHandlers {
  /** Applies one write exactly as the unary WriteInput does (validation, principal, backpressure). */
  apply(write: pb.WriteInputRequest | undefined, invalid: string | undefined): Promise<WriteInputResult>;
  /** The per-write error for what `apply` rejected with. */
  errorOf(error: unknown): pb.CallError;
  /** Fires when the call is cancelled or the server closes: unanswered writes are dropped. */
  readonly signal: AbortSignal;
}

/**
 * Stop reading new writes while this many data bytes (or {@link maxUnansweredWrites} writes) are
 * unanswered, so a client that sends without waiting is held back by HTTP/2 flow control instead
 * of growing the server's memory.
 */
const maxUnansweredBytes = 8 * 1024 * 1024;
const maxUnansweredWrites = 1024;

/**
 * Serves the call until the client half-closes and every write is answered (resolves), or the
 * call is cancelled or the server closes (resolves). Rejects with `invalid_argument` for a message
 * that cannot be decoded far enough to know its call id: there is no write to answer.
 */
export function serveInputCalls(
  call: ServerDuplexStream<DecodedInputCall, pb.InputCallResult>,
  handlers: InputCallHandlers,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const tails = new Map<string, Promise<void>>();
    let unansweredBytes = 0;
    let unansweredWrites = 0;
    let clientDone = false;
    let finished = false;
    let waitingForDrain = false;

    const finish = (error?: unknown) => {
      if (finished) return;
      finished = true;
      call.removeListener('data', onCall);
      handlers.signal.removeEventListener('abort', onAbort);
      if (error === undefined) resolve();
      else reject(error);
    };
    const onAbort = () => finish();
    const maybeFinish = () => {
      if (clientDone && unansweredWrites === 0) finish();
    };
    const updateFlow = () => {
      const full = unansweredBytes >= maxUnansweredBytes || unansweredWrites >= maxUnansweredWrites || waitingForDrain;
      if (full && !call.isPaused()) call.pause();
      else if (!full && call.isPaused()) call.resume();
    };
    const send = (result: pb.InputCallResult) => {
      if (finished || handlers.signal.aborted) return;
      if (!call.write(result) && !waitingForDrain) {
        // The client is not reading results: read no more writes until it does.
        waitingForDrain = true;
        call.once('drain', () => {
          waitingForDrain = false;
          updateFlow();
        });
      }
    };

    const onCall = (request: DecodedInputCall) => {
      try {
        checkDecoded(request);
      } catch (error) {
        finish(error);
        return;
      }
      const size = request.write?.data.byteLength ?? 0;
      unansweredBytes += size;
      unansweredWrites++;
      updateFlow();
      const key = request.write?.processId ?? '';
      const previous = tails.get(key) ?? Promise.resolve();
      const done = previous
        .then(() => handlers.apply(request.write, request.invalid))
        .then(
          (result) => send({ callId: request.callId, response: { offset: result.offset, eof: result.eof } }),
          (error: unknown) => send({ callId: request.callId, error: handlers.errorOf(error) }),
        )
        .finally(() => {
          if (tails.get(key) === done) tails.delete(key);
          unansweredBytes -= size;
          unansweredWrites--;
          updateFlow();
          maybeFinish();
        });
      tails.set(key, done);
    };

    call.on('data', onCall);
    call.once('end', () => {
      clientDone = true;
      maybeFinish();
    });
    handlers.signal.addEventListener('abort', onAbort, { once: true });
    if (handlers.signal.aborted) finish();
  });
}
