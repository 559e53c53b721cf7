/**
 * What a case sees: the API for writing a conformance case (one file per behaviour in
 * src/cases/, each exporting a `ConformanceCase`).
 */
import type { Client, ClientOptions } from '@procwire/core';
import type { Transport } from '@procwire/core/transport';
import type { ConformanceCommands } from '../commands/commands.js';
import type { ConformanceCapability, ConformanceHost, ConformanceLimits } from '../options.js';
import type { ObservedHost } from './host-observer.js';

/** Everything a running case may use. */
export interface ConformanceCaseContext {
  /** The transport under test, shared by the cases; its `close()` does nothing here. */
  readonly transport: Transport;
  /** A new client over the transport; the suite closes it (and kills what the case left running) after the case. */
  client(options?: ClientOptions): Client;
  /** The host as another principal (`setup()`'s `otherPrincipal`, `close()` doing nothing), if any. */
  readonly otherPrincipalTransport: Transport | undefined;
  /** A new client as another principal (`setup()`'s `otherPrincipal`); `undefined` when there is none. */
  otherPrincipalClient(options?: ClientOptions): Client | undefined;
  /** Mark the case skipped with this reason (then return): for what only shows at run time. */
  skip(reason: string): void;
  /** Cut the connection under test (`setup()`'s `interrupt`); fails the case when there is none. */
  interrupt(): Promise<void>;
  /** The fixtures for this host. */
  readonly commands: ConformanceCommands;
  readonly limits: Required<ConformanceLimits>;
  readonly host: Required<ConformanceHost>;
  /**
   * The host the server fronts, watched (`setup()` called `kit.observeHost(host)`); `undefined`
   * for a host transport or a setup that did not.
   */
  readonly observedHost: ObservedHost | undefined;
  /** Close the transport under test for real: only the suite's last case does. */
  closeTransport(): Promise<void>;
  /** Aborted when the case ends or times out: pass it to long waits. */
  readonly signal: AbortSignal;
}

/** How a case is registered. */
export interface ConformanceCaseOptions {
  /** Capabilities the case needs; it is skipped, with the reason named, when one is `false`. */
  readonly needs?: readonly ConformanceCapability[];
  /** The case's own timeout (multiplied by `timeoutScale`), so a broken transport fails instead of hanging. */
  readonly timeoutMs: number;
}

/** Registers test cases; given to each {@link ConformanceCase}. */
export interface ConformanceSuite {
  /** Register one test: its name says the behaviour a user would check. */
  test(name: string, options: ConformanceCaseOptions, body: (context: ConformanceCaseContext) => Promise<void>): void;
}

/** One behaviour's cases: a function that registers them. */
export type ConformanceCase = (suite: ConformanceSuite) => void;
