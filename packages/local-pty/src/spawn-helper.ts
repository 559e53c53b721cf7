/**
 * SpawnHelper: the host's side of the spawn helper (`spawnHelper: true`). It forks the helper
 * program lazily at the first pipe-mode start, asks it to spawn, receives each child's three
 * pipes over the IPC channel, and reports the leader's exit to the process's sink.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { Socket, type SocketConstructorOpts } from 'node:net';
import { ErrorCode, ProcwireError } from '@procwire/core/transport';
import { PipeSource } from './pipe-source.js';
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

interface Launch {
  readonly spec: LaunchSpec;
  readonly sink: HelperSink;
  readonly resolve: (source: PipeSource) => void;
  readonly reject: (error: ProcwireError) => void;
  pid?: number;
  expected?: readonly StdioFd[];
  /** The received pipes, kept unwrapped (and unread) until all are here. */
  readonly pipes: Map<StdioFd, unknown>;
  exit?: { code: number | null; signal: string | null };
}

interface Running {
  readonly pid: number;
  readonly sink: HelperSink;
  readonly source: PipeSource;
}

export class SpawnHelper {
  private helper: ChildProcess | undefined;
  private helperExited: Promise<void> | undefined;
  private nextLaunchId = 1;
  /** Launches whose pipes have not all arrived yet. */
  private readonly launches = new Map<number, Launch>();
  /** Started processes whose exit the helper has not reported yet. */
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
      this.launches.set(launchId, { spec, sink, resolve, reject, pipes: new Map() });
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
      const launch = this.launches.get(message.launchId);
      if (launch === undefined) {
        pipeSocket(handle, message.fd).destroy();
        return;
      }
      launch.pipes.set(message.fd, handle);
      this.complete(message.launchId, launch);
      return;
    }
    if (message.type === 'exit') {
      const launch = this.launches.get(message.launchId);
      if (launch !== undefined) {
        launch.exit = { code: message.code, signal: message.signal };
        return;
      }
      const running = this.running.get(message.launchId);
      this.running.delete(message.launchId);
      this.updateRef();
      if (running === undefined) return;
      running.source.readToEnd();
      running.sink.leaderExited(message.code, message.signal);
      return;
    }
    const launch = this.launches.get(message.launchId);
    if (launch === undefined) return;
    if (message.type === 'failed') {
      const cause = Object.assign(new Error(message.message), { code: message.code });
      this.failLaunch(message.launchId, spawnError(cause, launch.spec.argv[0] as string, launch.spec.argv));
      return;
    }
    launch.pid = message.pid;
    launch.expected = message.fds;
    this.complete(message.launchId, launch);
  }

  /** Resolves the launch once the pid and every pipe are here; applies an exit that came early. */
  private complete(launchId: number, launch: Launch): void {
    const { pid, expected } = launch;
    if (pid === undefined || expected === undefined || !expected.every((fd) => launch.pipes.has(fd))) return;
    this.launches.delete(launchId);
    // Sockets made now, and connected in this same tick: a socket starts reading when made, and
    // one that reached EOF before anyone listened would close unseen.
    const stream = (fd: StdioFd) => (launch.pipes.has(fd) ? pipeSocket(launch.pipes.get(fd), fd) : null);
    const source = new PipeSource({ pid, stdin: stream(0), stdout: stream(1), stderr: stream(2) }, launch.sink);
    launch.resolve(source);
    if (launch.exit === undefined) {
      this.running.set(launchId, { pid, sink: launch.sink, source });
    } else {
      source.readToEnd();
      launch.sink.leaderExited(launch.exit.code, launch.exit.signal);
    }
    this.updateRef();
  }

  private failLaunch(launchId: number, error: ProcwireError): void {
    const launch = this.launches.get(launchId);
    if (launch === undefined) return;
    this.launches.delete(launchId);
    // Started, but a pipe never came: nobody could read or wait for it, so it must not run on.
    if (launch.pid !== undefined && launch.exit === undefined) signalGroup(launch.pid, 'SIGKILL', true);
    for (const [fd, pipe] of launch.pipes) pipeSocket(pipe, fd).destroy();
    launch.reject(error);
    this.updateRef();
  }

  private onHelperExit(helper: ChildProcess, code: number | null, signal: string | null): void {
    if (this.helper !== helper) return;
    this.helper = undefined;
    const how = signal === null ? `with code ${code}` : `by ${signal}`;
    const error = new ProcwireError(ErrorCode.Unavailable, `the spawn helper exited ${how}; start the process again`);
    for (const launchId of [...this.launches.keys()]) this.failLaunch(launchId, error);
    // Their pipes still work; only the exit status is gone with the helper (it was the parent).
    for (const running of this.running.values()) this.orphans.add(running);
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

/**
 * A socket over a received pipe, as child_process makes one for its own stdio: `handle` is the
 * (undocumented, long-stable) option for an existing libuv handle.
 */
function pipeSocket(handle: unknown, fd: StdioFd): Socket {
  const options = { handle, readable: fd !== 0, writable: fd === 0 };
  return new Socket(options as SocketConstructorOpts);
}
