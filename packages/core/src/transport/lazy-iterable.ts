/**
 * For host transports' `readOutput`: an `AsyncIterable` that opens its source on the first `next()`, like an async generator would,
 * without being a generator layer itself: on the output hot path each chunk then costs a few
 * promise hops less, and V8 has one big generator less to compile while the first reads run.
 */

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

/**
 * Iterates `open()`'s iterator, calling `open` on the first `next()`. A synchronous throw of `open`
 * rejects that `next()` as is; a rejection of the source's `next()` goes through `mapError`
 * (when given). `return()` is passed to the source, so its own ordering rules apply.
 */
export function lazyIterable<T>(
  open: () => AsyncIterator<T, void, undefined>,
  mapError?: (error: unknown) => unknown,
): AsyncIterable<T> {
  return {
    [Symbol.asyncIterator](): AsyncIterator<T, void, undefined> {
      let source: AsyncIterator<T, void, undefined> | undefined;
      let finished = false;
      const fail = (error: unknown): never => {
        throw mapError!(error);
      };
      return {
        next(): Promise<IteratorResult<T, void>> {
          if (source === undefined) {
            if (finished) return Promise.resolve(DONE);
            try {
              source = open();
            } catch (error) {
              finished = true;
              return Promise.reject(error);
            }
          }
          const step = source.next();
          return mapError === undefined ? step : step.then(undefined, fail);
        },
        return(): Promise<IteratorResult<T, void>> {
          finished = true;
          return source?.return?.() ?? Promise.resolve(DONE);
        },
      };
    },
  };
}
