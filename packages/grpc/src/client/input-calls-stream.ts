/**
 * The client side of WriteInputCalls: one long-lived bidirectional call that carries the stdin
 * writes of every process on the channel, so a keystroke costs one small HTTP/2 DATA frame each way
 * instead of a whole unary call (headers, trailers, a new stream).
 */
import { type ClientDuplexStream, Metadata, type ServiceError, status } from '@grpc/grpc-js';
import { ErrorCode, ProcwireError, type WriteInputResult } from '@procwire/core/transport';
import type * as pb from '../gen/procwire/v1/procwire.js';
import { errorCodeTrailer, fromServiceError } from '../wire/status.js';

interface PendingWrite {
  readonly request: pb.WriteInputRequest;
  readonly signal: AbortSignal | undefined;
  resolve(result: WriteInputResult): void;
  reject(error: ProcwireError): void;
}

/** Sends one write as a unary WriteInput (the transport's own path for it). */
export type UnaryWrite = (request: pb.WriteInputRequest, signal: AbortSignal | undefined) => Promise<WriteInputResult>;

/** A per-write error from the server, as the error of a unary WriteInput would be. */
function callErrorToProcwire(error: pb.CallError, processId: string): ProcwireError {
  const metadata = new Metadata();
  if (error.procwireCode !== '') metadata.set(errorCodeTrailer, error.procwireCode);
  const serviceError = Object.assign(new Error(error.message), {
    code: error.code as status,
    details: error.message,
    metadata,
  }) satisfies ServiceError;
  return fromServiceError(serviceError, { processId });
}

/**
 * One open WriteInputCalls call. Every write gets its own call id; a write rejects with its own
 * error, and all unanswered ones reject with `unavailable` when the call breaks (core then retries
 * them by offset on a new call, and the host trims what it already has).
 */
export class InputCallsStream {
  private readonly pending = new Map<number, PendingWrite>();
  private nextCallId = 1;
  private broken: ProcwireError | undefined;
  /** Set when the server does not know WriteInputCalls (an older server): use unary WriteInput. */
  unimplemented = false;

  constructor(
    private readonly call: ClientDuplexStream<pb.InputCall, pb.InputCallResult>,
    private readonly onBroken: (stream: InputCallsStream) => void,
    private readonly unaryWrite: UnaryWrite,
  ) {
    call.on('data', (result: pb.InputCallResult) => this.settle(result));
    call.on('error', (error: ServiceError) => {
      const fromLibrary = error.metadata?.get(errorCodeTrailer).length === 0;
      if (error.code === status.UNIMPLEMENTED && fromLibrary) this.unimplemented = true;
      if (error.code === status.RESOURCE_EXHAUSTED && fromLibrary) {
        // grpc-js refused one message as too large, which ends the whole call: send each write
        // again on its own, so only the one that was too large fails (the host trims repeats).
        this.resendUnary();
      }
      this.breakWith(fromServiceError(error));
    });
    // OK from the server with writes unanswered (it should not happen): they may be retried.
    call.on('status', () =>
      this.breakWith(new ProcwireError(ErrorCode.Unavailable, 'the WriteInputCalls call ended before answering every write')),
    );
  }

  /** Writes still waiting for their result. */
  get unanswered(): number {
    return this.pending.size;
  }

  /** True once the call has ended; a new write needs a new stream. */
  get isBroken(): boolean {
    return this.broken !== undefined;
  }

  /** Sends one write; resolves with the host's input position after it, or rejects with its error. */
  write(request: pb.WriteInputRequest, signal: AbortSignal | undefined): Promise<WriteInputResult> {
    if (this.broken !== undefined) return Promise.reject(this.broken);
    const callId = this.nextCallId++;
    return new Promise<WriteInputResult>((resolve, reject) => {
      const onAbort = () => {
        // The write may still reach the host; a retry at the same offset is trimmed there.
        this.pending.delete(callId);
        reject(new ProcwireError(ErrorCode.Aborted, 'the call was aborted', { cause: signal?.reason }));
      };
      this.pending.set(callId, {
        request,
        signal,
        resolve: (result) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(result);
        },
        reject: (error) => {
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
      });
      signal?.addEventListener('abort', onAbort, { once: true });
      this.call.write({ callId, write: request });
    });
  }

  /** Ends the call from this side: the server answers what it has, then ends it. */
  end(): void {
    this.call.end();
  }

  /** Cancels the call; unanswered writes reject with `error`. */
  cancel(error: ProcwireError): void {
    this.breakWith(error);
    this.call.cancel();
  }

  private settle(result: pb.InputCallResult): void {
    const write = this.pending.get(result.callId);
    if (write === undefined) return; // aborted by the caller meanwhile
    this.pending.delete(result.callId);
    if (result.response !== undefined) write.resolve({ offset: result.response.offset, eof: result.response.eof });
    else if (result.error !== undefined) write.reject(callErrorToProcwire(result.error, write.request.processId));
    else write.reject(new ProcwireError(ErrorCode.Internal, 'a WriteInputCalls result had neither a response nor an error'));
  }

  private resendUnary(): void {
    for (const [callId, write] of this.pending) {
      this.pending.delete(callId);
      this.unaryWrite(write.request, write.signal).then(write.resolve, write.reject);
    }
  }

  private breakWith(error: ProcwireError): void {
    if (this.broken === undefined) {
      this.broken = error;
      this.onBroken(this);
    }
    for (const [callId, write] of this.pending) {
      this.pending.delete(callId);
      write.reject(new ProcwireError(error.code, error.message, { processId: write.request.processId, cause: error }));
    }
  }
}
