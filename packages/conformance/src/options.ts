/**
 * The options of `describeTransportConformance`: what a transport author passes in about ten lines.
 */
import type { Transport } from '@procwire/core/transport';
import type { ConformanceCommands } from './commands/commands.js';
import type { ConformanceSetupKit } from './harness/host-observer.js';

/** What `setup()` hands the suite: the transport under test and, optionally, a way to cut it. */
export interface ConformanceTarget {
  /**
   * The transport under test. The suite creates one client per case over it (never closing it)
   * and closes it after the last case unless you pass your own `teardown`.
   */
  readonly transport: Transport;
  /**
   * Cut the connection under test right now, as a network failure would (a network adapter: its
   * fault proxy drops every open connection; `memoryTransport`: `transport.interrupt()`). Calls
   * in flight must then fail with `unavailable`, and new calls must be able to succeed again.
   * Needed by the resume cases; without it they fail with a message saying so, unless
   * `supports.resume` is `false`.
   */
  readonly interrupt?: () => void | Promise<void>;
  /**
   * The same host reached as another principal, for the isolation cases (one principal never sees
   * another's processes). A network adapter: a second client transport with a token naming another
   * principal. A host transport: `withPrincipal(transport, 'other')`. Without it those cases are
   * skipped, named. The default teardown closes it too.
   */
  readonly otherPrincipal?: Transport;
}

/**
 * The capability manifest: what the transport under test can do. Every flag defaults to `true`;
 * set one to `false` and the cases that need it are skipped, each named in the test output with
 * the reason (e.g. `# SKIP no pty`).
 */
export interface ConformanceSupports {
  /** Processes run in a pseudo-terminal (`exec(argv, { pty })`): a tty, merged output, `resize()`. */
  readonly pty?: boolean;
  /** `kill(signal)` delivers real signals: exit code `128 + n` and the signal's name in `waitStatus()`. */
  readonly signals?: boolean;
  /** `kill()` and timeouts reach the whole process group: no child of the process survives. */
  readonly processGroups?: boolean;
  /** Output and input resume losslessly after `interrupt()` cuts the connection. */
  readonly resume?: boolean;
  /** The host has a file system and checks `cwd`: a directory that does not exist is `invalid_argument`. */
  readonly workingDirectory?: boolean;
  /**
   * Processes belong to the principal that started them: another principal gets `not_found` for
   * every call about them. Needs `otherPrincipal` from `setup()`.
   */
  readonly principals?: boolean;
}

/** A capability a case can require: a key of {@link ConformanceSupports}. */
export type ConformanceCapability = keyof ConformanceSupports;

/** Sizes the suite needs to know or may be told to use. */
export interface ConformanceLimits {
  /**
   * The host's argv limit in bytes (UTF-8, one NUL per item, as `validateStartRequest` counts);
   * the suite starts a command one byte over it and expects `resource_exhausted`. Default 256 KiB,
   * the default of `validateStartRequest`.
   */
  readonly maxArgvBytes?: number;
  /** How many bytes the large-output case transfers; default 64 MiB. */
  readonly largeOutputBytes?: number;
  /**
   * The most bytes a host reads from a process at once: the slow-consumer case allows
   * `outputWindowBytes` plus this much unacknowledged output while the process runs. Default 64 KiB.
   */
  readonly outputChunkBytes?: number;
  /**
   * The most unacknowledged bytes the host lets a stream hold while a reader reads it, for a host
   * that lends room past the window (core's `OutputPool`: `procwire-server` lends up to
   * `--output-burst-bytes`, 8 MiB). The slow-consumer case then allows this instead of the window.
   * Default 0: the host keeps to `outputWindowBytes`.
   */
  readonly outputBurstBytes?: number;
  /**
   * The most a host reads past its window once the process's leader has exited: a host drains
   * what the process left behind so that EOF and the exit arrive although nobody reads. For
   * `localTransport()` on Linux: its stdout pipe (64 KiB; 1 MiB once a reader consumed 1 MiB, its
   * `outputPipeBytes`; without its addon the socket pair Node gives a child, whose send buffer is
   * `net.core.wmem_default`, 208 KiB), plus Node's stream buffer (16 KiB and one 64 KiB read):
   * 1104 KiB at most, the default; 0 for a host that stops at its window even then.
   */
  readonly exitReadBytes?: number;
}

/** Facts about the host that the env and cwd cases need. */
export interface ConformanceHost {
  /**
   * An absolute, symlink-free path of a directory that exists on the host; `printCwd()` run there
   * must print exactly this. Default: the real path of this machine's temporary directory (right
   * for any host on this machine).
   */
  readonly directory?: string;
  /** An absolute path that does not exist on the host. Default: a name under `directory` that does not exist. */
  readonly missingDirectory?: string;
  /**
   * The name of a variable set in the host's base environment, which the env cases override and
   * remove. Default `'HOME'`.
   */
  readonly inheritedEnv?: string;
}

/**
 * The options of {@link describeTransportConformance}. `Target` is what `setup` returns: a
 * {@link ConformanceTarget} plus whatever `teardown` needs (servers, proxies), typed.
 */
export interface ConformanceOptions<Target extends ConformanceTarget = ConformanceTarget> {
  /** Names the suite in the test output: `transport conformance: <name>`. */
  readonly name: string;
  /**
   * Called once before the first case: start servers, build the transport under test. A network
   * transport hands its server `kit.observeHost(host)` instead of the host, so that the suite can
   * check what crosses the wire (errors) and what a dropped connection leaves on the host.
   */
  readonly setup: (kit: ConformanceSetupKit) => Promise<Target> | Target;
  /**
   * Called once after the last case with what `setup` returned. Default: `transport.close()` (and
   * `otherPrincipal.close()`). Close your servers here too.
   */
  readonly teardown?: (target: Target) => Promise<void> | void;
  /** What the transport can do; every flag defaults to `true`. */
  readonly supports?: ConformanceSupports;
  /**
   * How to express each fixture as argv on this host. Default {@link posixCommands} (`sh`, `cat`,
   * `seq`, `head`, `printf`, `stty`, `sleep`, `printenv`). `memoryTransport` hosts: {@link memoryCommands}
   * with `memoryPrograms`.
   */
  readonly commands?: ConformanceCommands;
  /** Sizes the suite must know; see {@link ConformanceLimits}. */
  readonly limits?: ConformanceLimits;
  /** Facts about the host; see {@link ConformanceHost}. */
  readonly host?: ConformanceHost;
  /**
   * Multiplies every case's own timeout (default 1): raise it for a slow transport or machine.
   * Each case has a timeout so a broken transport fails instead of hanging.
   */
  readonly timeoutScale?: number;
}
