/**
 * Signal names, numbers and process groups: the host's one place that talks to `process.kill`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { constants } from 'node:os';
import { ErrorCode, type ExitStatus, ProcwireError, type SignalName, validateSignalName } from '@procwire/core/transport';

const signalNumbers = constants.signals as Readonly<Record<string, number>>;

/** Throws `invalid_argument` unless `name` is a signal this OS knows; returns its number. */
export function signalNumberOf(name: unknown): number {
  validateSignalName(name);
  const number = Object.hasOwn(signalNumbers, name) ? signalNumbers[name] : undefined;
  if (number === undefined) {
    throw new ProcwireError(ErrorCode.InvalidArgument, `unknown signal ${JSON.stringify(name)} on this host`);
  }
  return number;
}

/** The name of a signal number (`9` -> `'SIGKILL'`), or `undefined` when the OS has none. */
export function signalNameOf(number: number): SignalName | undefined {
  for (const [name, value] of Object.entries(signalNumbers)) {
    // SIGIOT/SIGPOLL alias other numbers; the first name listed is the usual one.
    if (value === number && name.startsWith('SIG')) return name as SignalName;
  }
  return undefined;
}

/**
 * The exit status of a leader that ended with `code` or by `signal` (a name or a number): a signal
 * gives `128 + its number`, as shells report it.
 */
export function exitStatusOf(code: number | null, signal: string | number | null, timedOut: boolean): ExitStatus {
  const signalName = typeof signal === 'number' ? (signal > 0 ? signalNameOf(signal) : undefined) : signal;
  const flag = timedOut ? { timedOut: true } : {};
  if (signalName !== undefined && signalName !== null && signalName !== '') {
    const number = typeof signal === 'number' ? signal : (signalNumbers[signalName] ?? 0);
    return { code: 128 + number, signal: signalName as SignalName, ...flag };
  }
  return { code: code ?? 0, ...flag };
}

/**
 * Send `signal` to the whole process group led by `pid` (every process started here leads its own
 * group). Returns false when nothing was there to signal.
 *
 * `leaderRunning`: the leader has not exited yet. node-pty returns from fork before the child has
 * called setsid(), so for a moment the group does not exist yet (ESRCH) and the signal would be
 * lost; the child has no children then, so signalling the leader itself is the whole group.
 * Once the leader has exited, a live process bearing its pid means the number was reused (which
 * the kernel allows only once the group is gone): that process is someone else's.
 */
export function signalGroup(pid: number, signal: SignalName | number, leaderRunning = false): boolean {
  if (!leaderRunning && leaderAlive(pid)) return false;
  try {
    process.kill(-pid, signal);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw ProcwireError.from(error);
  }
  if (!leaderRunning) return false;
  try {
    process.kill(pid, signal);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw ProcwireError.from(error);
  }
}

/**
 * True while any member of the group that `pgid`'s leader made still exists (zombies included),
 * asked after the leader exited. A live process bearing the pid is another one (see signalGroup).
 */
export function groupExists(pgid: number): boolean {
  // Asked once for every process that exits, and usually answered ESRCH: the error Node throws
  // for it is built without a stack trace, which was most of its cost.
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  let failure: NodeJS.ErrnoException | undefined;
  try {
    process.kill(-pgid, 0);
  } catch (error) {
    failure = error as NodeJS.ErrnoException;
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
  if (failure?.code === 'ESRCH') return false;
  if (failure !== undefined && failure.code !== 'EPERM') throw ProcwireError.from(failure);
  return !leaderAlive(pgid);
}

/**
 * SIGKILLs every process left in the sessions `sids` (each made by a leader started here, with
 * setsid): members that moved to a group of their own (a shell's jobs) but stayed in the
 * session. One pass over /proc (Linux; elsewhere a no-op). A session whose leader's pid now
 * belongs to a live process is skipped: the number was reused, the session is someone else's.
 * Returns the pids it signalled (see {@link untilGone}).
 */
export function killSessions(sids: Iterable<number>): number[] {
  const signalled: number[] = [];
  const ours = new Set<number>();
  for (const sid of sids) if (!leaderAlive(sid)) ours.add(sid);
  if (ours.size === 0) return signalled;
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return signalled;
  }
  for (const entry of entries) {
    if (entry.charCodeAt(0) > 0x39) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    // After the command name: state ppid pgrp session ...
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (!ours.has(Number(fields[3])) || fields[0] === 'Z') continue;
    try {
      process.kill(Number(entry), 'SIGKILL');
      signalled.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return signalled;
}

/** Resolves once none of `pids` runs (a zombie does not), or after `timeoutMs`. */
export async function untilGone(pids: readonly number[], timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  // A SIGKILLed process ends when the kernel next schedules it: usually at once, later under load.
  while (pids.some((pid) => leaderAlive(pid)) && Date.now() < end) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** True while `pid` runs: a zombie (exited, not yet reaped) does not. */
export function leaderAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
  }
  // No /proc (macOS): a zombie still answers here, until its parent reaps it.
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
