/**
 * For host transports: a call that waits on work it cannot cancel (a write into a full pipe) still
 * honours `CallOptions.signal`, so the caller is released while the work goes on.
 */
import { ErrorCode, ProcwireError } from '../errors.js';

/** `promise`, or an `aborted` rejection as soon as `signal` aborts (the work itself goes on). */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  if (signal.aborted) return Promise.reject(ProcwireError.from(signal.reason, ErrorCode.Aborted));
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(ProcwireError.from(signal.reason, ErrorCode.Aborted));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
