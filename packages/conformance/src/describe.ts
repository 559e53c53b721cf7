/**
 * `describeTransportConformance`: registers the whole behaviour suite for one transport with
 * node:test, so a transport's own test file is about ten lines.
 */
import assert from 'node:assert/strict';
import { realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Transport } from '@procwire/core/transport';
import { conformanceCases } from './cases/index.js';
import { posixCommands } from './commands/fixtures.js';
import { CLEANUP_TIMEOUT_MS, runCase } from './harness/case-runner.js';
import { type ConformanceSetupKit, HostObserver } from './harness/host-observer.js';
import { withoutClose } from './harness/shared-transport.js';
import type { ConformanceSuite } from './harness/suite.js';
import type {
  ConformanceCapability,
  ConformanceHost,
  ConformanceLimits,
  ConformanceOptions,
  ConformanceTarget,
} from './options.js';

/** The reason printed next to each case skipped for a capability (`# SKIP no pty`). */
export const skipReasons: Readonly<Record<ConformanceCapability, string>> = {
  pty: 'no pty',
  signals: 'no signals',
  processGroups: 'no process groups',
  resume: 'no resume',
  workingDirectory: 'no working directories',
  principals: 'no principals',
};

/**
 * Register the conformance suite for one transport: a node:test `describe` named
 * `transport conformance: <name>`, with one test per behaviour. `setup` runs once before the
 * first case, `teardown` once after the last. Cases whose capability `supports` sets to `false`
 * are skipped and named. Call it at the top level of a test file.
 *
 * @example
 * describeTransportConformance({
 *   name: 'localTransport',
 *   setup: () => ({ transport: localTransport() }),
 *   supports: { pty: true, signals: true, processGroups: true, resume: false },
 * });
 */
export function describeTransportConformance<Target extends ConformanceTarget>(options: ConformanceOptions<Target>): void {
  assert.ok(typeof options?.name === 'string' && options.name !== '', 'describeTransportConformance: name is required');
  assert.equal(typeof options.setup, 'function', 'describeTransportConformance: setup must be a function');
  const supports = options.supports ?? {};
  const commands = options.commands ?? posixCommands;
  const limits = resolveLimits(options.limits);
  const host = resolveHost(options.host);
  const timeoutScale = options.timeoutScale ?? 1;
  let target: Target | undefined;
  let shared: Transport | undefined;
  let sharedOther: Transport | undefined;
  let observer: HostObserver | undefined;
  const kit: ConformanceSetupKit = {
    observeHost(host) {
      observer = new HostObserver(host);
      return observer.transport();
    },
  };

  describe(`transport conformance: ${options.name}`, () => {
    before(async () => {
      target = await options.setup(kit);
      assert.ok(target?.transport, `${options.name}: setup() must return { transport }`);
      shared = withoutClose(target.transport);
      if (target.otherPrincipal !== undefined) sharedOther = withoutClose(target.otherPrincipal);
    });
    after(async () => {
      if (target === undefined) return;
      await (options.teardown ?? closeTarget)(target);
    });

    const suite: ConformanceSuite = {
      test(name, caseOptions, body) {
        const missing = caseOptions.needs?.find((capability) => supports[capability] === false);
        const timeoutMs = caseOptions.timeoutMs * timeoutScale;
        // node:test's own timeout is only the backstop: its timer does not keep the process alive,
        // so a transport that never answers would end the run with a vague "cancelled".
        const backstopMs = timeoutMs + CLEANUP_TIMEOUT_MS + 1_000;
        const skip = missing === undefined ? false : skipReasons[missing];
        it(name, { timeout: backstopMs, skip }, async (t) => {
          assert.ok(target !== undefined && shared !== undefined, 'setup() did not complete');
          const run = { suiteName: options.name, caseName: name, transport: shared, interrupt: target.interrupt };
          const skipNow = (reason: string) => t.skip(reason);
          const closeTransport = () => target!.transport.close();
          await runCase({ ...run, otherPrincipal: sharedOther, observedHost: observer, closeTransport, commands, limits, host, timeoutMs, testSignal: t.signal, skipNow }, body);
        });
      },
    };
    for (const register of conformanceCases) register(suite);
  });
}

export async function closeTarget(target: ConformanceTarget): Promise<void> {
  await Promise.all([target.transport.close(), target.otherPrincipal?.close()]);
}

export function resolveLimits(limits: ConformanceLimits = {}): Required<ConformanceLimits> {
  return {
    maxArgvBytes: limits.maxArgvBytes ?? 256 * 1024,
    largeOutputBytes: limits.largeOutputBytes ?? 64 * 1024 * 1024,
    outputChunkBytes: limits.outputChunkBytes ?? 64 * 1024,
    outputBurstBytes: limits.outputBurstBytes ?? 0,
    exitReadBytes: limits.exitReadBytes ?? 1104 * 1024,
  };
}

export function resolveHost(host: ConformanceHost = {}): Required<ConformanceHost> {
  const directory = host.directory ?? realpathSync(tmpdir());
  return {
    directory,
    missingDirectory: host.missingDirectory ?? join(directory, `procwire-conformance-missing-${process.pid}`),
    inheritedEnv: host.inheritedEnv ?? 'HOME',
  };
}
