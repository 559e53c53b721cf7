/**
 * SpawnHelper: the host's side of the spawn helper (`spawnHelper: true`). It forks the helper
 * program lazily at the first pipe-mode start, asks it to spawn, receives each child's three
 * pipes over the IPC channel, and reports the leader's exit to the process's sink.
 *
 * A start resolves as soon as the helper says the process runs. Its pipes follow, one message
 * each, and Node's IPC sends a handle only once the previous one was acknowledged: waiting for
 * all three cost about 1.5 ms of every start. The source takes them as they come (PipeSource).
 */
import { type ChildProcess, fork } from 'node:child_process';
import { ErrorCode, ProcwireError } from '@procwire/core/transport';
import { PipeSource } from './pipe-source.js';
import { stdioSocket } from './stdio-pipes.js';
import type { LaunchSpec, ProcessSink } from './process-source.js';
import type { HelperMessage, SpawnCommand, StdioFd } from './spawn-helper-protocol.js';
import { leaderAlive, signalGroup } from './signals.js';
import { spawnError } from './spawn-checks.js';

/** The helper program, next to this file in dist. */
const HELPER_PROGRAM = new URL('./spawn-helper-main.js', import.meta.url);
/** The helper's V8 heap limit: it holds a few records per running process, nothing more. */
const HELPER_EXEC_ARGV = ['--max-old-space-size=64'];
/** How often a process whose helper died is checked for its leader's end. */
const LOST_LEADER_POLL_MS = 100;

/** A sink that can also learn that the leader's exit status is unknowable. */
export interface HelperSink extends ProcessSink {
  /** The helper died before reporting the exit, and the leader has now ended. */
  leaderLost(error: ProcwireError): void;
}

/** A spawn asked of the helper, until it says the process runs (or failed). */
interface Launch {
  readonly spec: LaunchSpec;
  readonly sink: HelperSink;
  readonly resolve: (source: PipeSource) => void;
  readonly reject: (error: ProcwireError) => void;
}

/** A started process, until the helper reported its exit and every pipe of it is here. */
interface Running {
  readonly pid: number;
  readonly sink: HelperSink;
  readonly source: PipeSource;
  exited: boolean;
}

export class SpawnHelper {
  private helper: ChildProcess | undefined;
  private helperExited: Promise<void> | undefined;
  private nextLaunchId = 1;
  /** Launches the helper has not answered yet. */
  private readonly launches = new Map<number, Launch>();
  /** Started processes whose exit the helper has not reported, or whose pipes are still coming. */
  private readonly running = new Map<number, Running>();
  /** Processes whose helper died: polled until their leader is gone. */
  private readonly orphans = new Set<Running>();
  private orphanTimer: ReturnType<typeof setInterval> | undefined;

  /** Spawns `spec` through the helper; resolves once the process runs and its pipes are here. */
  launch(spec: LaunchSpec, sink: HelperSink): Promise<PipeSource> {
    const helper = this.helper ?? this.startHelper();
    const launchId = this.nextLaunchId++;
    const [file, ...args] = spec.argv as [string, ...string[]];
    const command: SpawnCommand = {
      type: 'spawn',
      launchId,
      file,
      args,
      cwd: spec.cwd,
      env: spec.env,
      pipeStdout: spec.stdout === 'pipe',
      pipeStderr: spec.stderr === 'pipe',
      ...(spec.user === undefined ? {} : { uid: spec.user.uid, gid: spec.user.gid }),
    };
    return new Promise((resolve, reject) => {
      this.launches.set(launchId, { spec, sink, resolve, reject });
      this.updateRef();
      helper.send(command, (error) => {
        if (error !== null && error !== undefined) this.failLaunch(launchId, helperGone(error));
      });
    });
  }

  /** Stops the helper (after the host killed what it started) and waits for it to exit. */
  async close(): Promise<void> {
    clearInterval(this.orphanTimer);
    this.orphanTimer = undefined;
    this.orphans.clear();
    const helper = this.helper;
    const exited = this.helperExited;
    if (helper === undefined || exited === undefined) return;
    // Disconnecting ends the helper ('disconnect' there); a kill covers a helper that hangs.
    if (helper.connected) helper.disconnect();
    const timer = setTimeout(() => helper.kill('SIGKILL'), 2000);
    await exited;
    clearTimeout(timer);
  }

  private startHelper(): ChildProcess {
    const helper = fork(HELPER_PROGRAM, [], {
      execArgv: HELPER_EXEC_ARGV,
      // It needs no environment (each spawn brings its own), and the host's NODE_OPTIONS (a
      // loader, --inspect) or secrets have no business there.
      env: {},
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      serialization: 'json',
    });
    this.helper = helper;
    this.helperExited = new Promise((resolve) => helper.once('exit', () => resolve()));
    helper.on('message', (message: HelperMessage, handle: unknown) => this.onMessage(message, handle));
    // A failed send reports through its callback; nothing else to do with the event.
    helper.on('error', () => {});
    helper.once('exit', (code, signal) => this.onHelperExit(helper, code, signal));
    return helper;
  }

  private onMessage(message: HelperMessage, handle: unknown): void {
    if (message.type === 'stream') {
      const running = this.running.get(message.launchId);
      if (running === undefined) {
        stdioSocket({ handle }, message.fd).destroy();
        return;
      }
      // Made now and connected in this same tick: a socket starts reading when made, and one
      // that reached EOF before anyone listened would close unseen.
      running.source.arrive(message.fd, stdioSocket({ handle }, message.fd));
      this.settle(message.launchId, running);
      return;
    }
    if (message.type === 'exit') {
      const running = this.running.get(message.launchId);
      if (running === undefined) return;
      running.exited = true;
      // It may overtake pipes still on their way (Node queues only the messages with a handle):
      // the source applies this to them on arrival, and the exit counts once both outputs ended.
      running.source.readToEnd();
      running.sink.leaderExited(message.code, message.signal);
      this.settle(message.launchId, running);
      return;
    }
    const launch = this.launches.get(message.launchId);
    if (launch === undefined) return;
    if (message.type === 'failed') {
      const cause = Object.assign(new Error(message.message), { code: message.code });
      this.failLaunch(message.launchId, spawnError(cause, launch.spec.argv[0] as string, launch.spec.argv));
      return;
    }
    this.launches.delete(message.launchId);
    // The pipes listed in `fds` are on their way (undefined until they arrive); the others are none.
    const pending = (fd: StdioFd) => (message.fds.includes(fd) ? undefined : null);
    const source = new PipeSource(
      { pid: message.pid, stdin: pending(0), stdout: pending(1), stderr: pending(2) },
      launch.sink,
      launch.spec.outputPipeBytes,
    );
    this.running.set(message.launchId, { pid: message.pid, sink: launch.sink, source, exited: false });
    launch.resolve(source);
    this.updateRef();
  }

  /** Forgets a process once its exit is reported and its last pipe is here. */
  private settle(launchId: number, running: Running): void {
    if (!running.exited || running.source.pending.length > 0) return;
    this.running.delete(launchId);
    this.updateRef();
  }

  private failLaunch(launchId: number, error: ProcwireError): void {
    const launch = this.launches.get(launchId);
    if (launch === undefined) return;
    this.launches.delete(launchId);
    launch.reject(error);
    this.updateRef();
  }

  private onHelperExit(helper: ChildProcess, code: number | null, signal: string | null): void {
    if (this.helper !== helper) return;
    this.helper = undefined;
    const how = signal === null ? `with code ${code}` : `by ${signal}`;
    const error = new ProcwireError(ErrorCode.Unavailable, `the spawn helper exited ${how}; start the process again`);
    for (const launchId of [...this.launches.keys()]) this.failLaunch(launchId, error);
    for (const running of this.running.values()) {
      if (running.source.pending.length > 0) {
        // Started, but a pipe never came: nobody could feed or drain it, so it must not run on.
        if (!running.exited) signalGroup(running.pid, 'SIGKILL', true);
        for (const fd of running.source.pending) running.source.arrive(fd, null);
      }
      // The pipes that came still work; only the exit status is gone with the helper (it was the parent).
      if (!running.exited) this.orphans.add(running);
    }
    this.running.clear();
    if (this.orphans.size > 0 && this.orphanTimer === undefined) {
      this.orphanTimer = setInterval(() => this.checkOrphans(how), LOST_LEADER_POLL_MS);
    }
    this.updateRef();
  }

  private checkOrphans(how: string): void {
    for (const orphan of this.orphans) {
      if (leaderAlive(orphan.pid)) continue;
      this.orphans.delete(orphan);
      orphan.sink.leaderLost(
        new ProcwireError(
          ErrorCode.ProcessLost,
          `the spawn helper exited ${how} while process ${orphan.pid} ran: its exit status is unknown`,
        ),
      );
    }
    if (this.orphans.size === 0) {
      clearInterval(this.orphanTimer);
      this.orphanTimer = undefined;
    }
  }

  /** The helper keeps the host alive only while it has something to report. */
  private updateRef(): void {
    const helper = this.helper;
    if (helper === undefined) return;
    if (this.launches.size > 0 || this.running.size > 0) {
      helper.ref();
      helper.channel?.ref();
    } else {
      helper.unref();
      helper.channel?.unref();
    }
  }
}

function helperGone(cause: unknown): ProcwireError {
  return new ProcwireError(ErrorCode.Unavailable, 'the spawn helper is gone; start the process again', { cause });
}
