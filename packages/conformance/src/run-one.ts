/**
 * `runConformanceCase`: one case of the suite, by name, outside node:test's `describe`: for a
 * transport author's own meta-test (put a fault in on purpose, expect the case to fail naming it).
 */
import { conformanceCases } from './cases/index.js';
import { posixCommands } from './commands/fixtures.js';
import { closeTarget, resolveHost, resolveLimits } from './describe.js';
import { runCase } from './harness/case-runner.js';
import { type ConformanceSetupKit, HostObserver } from './harness/host-observer.js';
import { withoutClose } from './harness/shared-transport.js';
import type { ConformanceCaseContext, ConformanceCaseOptions } from './harness/suite.js';
import type { ConformanceOptions, ConformanceTarget } from './options.js';

interface RegisteredCase {
  readonly options: ConformanceCaseOptions;
  readonly body: (context: ConformanceCaseContext) => Promise<void>;
}

function registeredCases(): ReadonlyMap<string, RegisteredCase> {
  const cases = new Map<string, RegisteredCase>();
  for (const register of conformanceCases) register({ test: (name, options, body) => cases.set(name, { options, body }) });
  return cases;
}

/** The names of every case, in run order. */
export function conformanceCaseNames(): string[] {
  return [...registeredCases().keys()];
}

/**
 * Run the case named `caseName` against what `options.setup` returns, then `teardown`. Resolves
 * when the case passes; rejects with the case's own failure (a case that would be skipped rejects
 * with `skipped: <reason>`). `supports` is not consulted: you chose the case.
 */
export async function runConformanceCase<Target extends ConformanceTarget>(
  caseName: string,
  options: Omit<ConformanceOptions<Target>, 'name' | 'supports'>,
): Promise<void> {
  const registered = registeredCases().get(caseName);
  if (registered === undefined) throw new Error(`no conformance case is named ${JSON.stringify(caseName)}`);
  let observer: HostObserver | undefined;
  const kit: ConformanceSetupKit = {
    observeHost(host) {
      observer = new HostObserver(host);
      return observer.transport();
    },
  };
  const target = await options.setup(kit);
  try {
    await runCase(
      {
        suiteName: caseName,
        caseName,
        transport: withoutClose(target.transport),
        interrupt: target.interrupt,
        otherPrincipal: target.otherPrincipal === undefined ? undefined : withoutClose(target.otherPrincipal),
        observedHost: observer,
        closeTransport: () => target.transport.close(),
        commands: options.commands ?? posixCommands,
        limits: resolveLimits(options.limits),
        host: resolveHost(options.host),
        timeoutMs: registered.options.timeoutMs * (options.timeoutScale ?? 1),
        testSignal: new AbortController().signal,
        skipNow: (reason) => {
          throw new Error(`skipped: ${reason}`);
        },
      },
      registered.body,
    );
  } finally {
    await (options.teardown ?? closeTarget)(target);
  }
}
