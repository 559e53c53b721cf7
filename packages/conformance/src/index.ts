/**
 * `@procwire/conformance`: the behaviour suite every procwire transport runs.
 *
 * For transport authors: `describeTransportConformance(options)` in your package's test, with the
 * capability manifest (`supports`) and, for a non-POSIX host, your own `ConformanceCommands`.
 * For core's in-memory transport: `memoryPrograms` and `memoryCommands`.
 * For writing more cases: the `ConformanceCase` types and the pattern helpers.
 */
export { describeTransportConformance, skipReasons } from './describe.js';
export type {
  ConformanceCapability,
  ConformanceHost,
  ConformanceLimits,
  ConformanceOptions,
  ConformanceSupports,
  ConformanceTarget,
} from './options.js';
export type { BlockingHostCall, ConformanceSetupKit, ObservedHost } from './harness/host-observer.js';

// The fixtures: what each command must do, and two implementations of all of them.
export type { ConformanceCommands } from './commands/commands.js';
export { memoryCommands, memoryPrograms, posixCommands } from './commands/fixtures.js';
export {
  expectedLines,
  invalidUtf8Bytes,
  invalidUtf8Text,
  linePieces,
  splitUtf8Pieces,
  splitUtf8Text,
  unknownCommandName,
} from './commands/fixture-data.js';
export { PatternStream, PatternVerifier, patternBytes } from './commands/pattern.js';

// For host transports: a second principal for the isolation cases.
export { withPrincipal } from './harness/with-principal.js';

// For a transport's own meta-test: one case by name, expected to fail against a deliberate fault.
export { conformanceCaseNames, runConformanceCase } from './run-one.js';

// For writing cases.
export { conformanceCases } from './cases/index.js';
export type {
  ConformanceCase,
  ConformanceCaseContext,
  ConformanceCaseOptions,
  ConformanceSuite,
} from './harness/suite.js';

// For network transports' tests: a TCP proxy that cuts connections (`interrupt: () => proxy.cutAll()`).
export { type FaultProxy, type FaultProxyOptions, type FaultProxyStats, startFaultProxy } from './fault-proxy.js';
