/**
 * Pipe mode through posix_spawn (native/vfork-spawn.c, built on install beside the close-on-exec
 * addon). Node's child_process forks, copying the host's page tables while its event loop waits;
 * posix_spawn shares them until the child execs, and runs on a pool thread, so the event loop does
 * not wait for that either. The process gets what `PipeSource.launch` gives it (argv, own session
 * and process group, cwd, env, pipes), and the same PipeSource then runs it.
 *
 * It cannot switch users (posix_spawn has no setuid): a start that runs as another user takes the
 * spawn helper or child_process path.
 */
import { createRequire } from 'node:module';
import { ErrorCode, ProcwireError } from '@procwire/core/transport';
import { PipeSource } from './pipe-source.js';
import { hostStreams } from './stdio-pipes.js';
import type { LaunchSpec, ProcessSink } from './process-source.js';
import { spawnError } from './spawn-checks.js';

interface VforkSpawnAddon {
  /**
   * Linux only (the module builds empty elsewhere). Spawns on a pool thread; resolves to the pid
   * and the host's ends of stdin, stdout, stderr (-1 when not a pipe). `onExit` comes after.
   */
  spawn?(
    file: string,
    argv: readonly string[],
    envp: readonly string[],
    cwd: string,
    pipeStdout: boolean,
    pipeStderr: boolean,
    onExit: (code: number | null, signal: number | null) => void,
  ): Promise<[pid: number, stdin: number, stdout: number, stderr: number]>;
}

/** From dist/ (or dist-test/) to the addon node-gyp builds at install. */
const ADDON_PATH = '../build/Release/vfork_spawn.node';

let addon: VforkSpawnAddon | undefined;
let loadError: unknown;

function load(): VforkSpawnAddon | undefined {
  if (addon === undefined && loadError === undefined) {
    try {
      addon = createRequire(import.meta.url)(ADDON_PATH) as VforkSpawnAddon;
    } catch (error) {
      loadError = error;
    }
  }
  return addon;
}

/** Whether posix_spawn can be used here: Linux with glibc 2.34+, with the addon built. */
export function vforkSpawnAvailable(): boolean {
  return typeof load()?.spawn === 'function';
}

/** Throws `internal` saying why posix_spawn cannot be used (for `vforkSpawn: true`). */
export function requireVforkSpawn(): void {
  if (vforkSpawnAvailable()) return;
  const why =
    load() === undefined
      ? 'its addon is not built (run `npm rebuild @procwire/local-pty`; it needs python3, make and a C compiler)'
      : 'it needs Linux with glibc 2.34 or later';
  throw new ProcwireError(ErrorCode.Internal, `@procwire/local-pty: vforkSpawn is not available: ${why}`, { cause: loadError });
}

/**
 * Spawns `spec` (pipe mode, no user switch) with posix_spawn, off the event loop; resolves once the
 * process runs, rejects with the start's error (`not_found`, `permission_denied`, ...).
 */
export async function launchWithVfork(spec: LaunchSpec, sink: ProcessSink): Promise<PipeSource> {
  const spawn = load()?.spawn as NonNullable<VforkSpawnAddon['spawn']>;
  const [command] = spec.argv as [string, ...string[]];
  const envp = Object.entries(spec.env).map(([key, value]) => `${key}=${value}`);
  let source: PipeSource | undefined;
  let early: [code: number | null, signal: number | null] | undefined;
  const onExit = (code: number | null, signal: number | null) => {
    // The addon reports the exit after the start settled; a source not made by then is kept waiting.
    if (source === undefined) {
      early = [code, signal];
      return;
    }
    // As Node does for its own children (flushStdio): what the pipes hold is read although
    // nobody reads, so EOF and the exit arrive.
    source.readToEnd();
    sink.leaderExited(code, signal);
  };
  let fds: [number, number, number, number];
  try {
    fds = await spawn(command, spec.argv, envp, spec.cwd, spec.stdout === 'pipe', spec.stderr === 'pipe', onExit);
  } catch (error) {
    throw spawnError(error, command, spec.argv);
  }
  const [pid, stdin, stdout, stderr] = fds;
  source = new PipeSource({ pid, ...hostStreams([stdin, stdout, stderr]) }, sink, spec.outputPipeBytes);
  if (early !== undefined) onExit(...early);
  return source;
}
