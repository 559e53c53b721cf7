// A suite over a transport that never answers, with every capability off but signals: run by
// harness.test.ts in a child process to show that cases time out (instead of hanging) and that
// skipped cases are named.
import type { Transport } from '@procwire/core/transport';
import { describeTransportConformance } from '@procwire/conformance';

const never = <T>(): Promise<T> => new Promise<T>(() => {});

const hanging: Transport = {
  start: never,
  readOutput: () => ({ [Symbol.asyncIterator]: () => ({ next: never }) }),
  ackOutput: never,
  writeInput: never,
  wait: never,
  poll: never,
  signal: never,
  resize: never,
  get: never,
  list: never,
  close: async () => {},
};

describeTransportConformance({
  name: 'hanging',
  setup: () => ({ transport: hanging }),
  supports: { pty: false, processGroups: false, resume: false, workingDirectory: false },
  timeoutScale: 0.002,
});
