/**
 * The users processes run as: the `uid`/`gid` option for everyone, or one per principal
 * (`principalUsers`). A user's `HOME`, `USER` and `LOGNAME` come from its passwd entry, and its
 * processes start in its home (or `/`) unless told otherwise: the host's own directory and
 * identity belong to another user.
 */
import { spawn } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';

/** A user to run processes as, with what the process should know of it. */
export interface RunAsUser {
  readonly uid: number;
  readonly gid: number;
  /** `HOME`, `USER`, `LOGNAME` set over the base environment (`undefined` removes the host's). */
  readonly identity: Readonly<Record<string, string | undefined>>;
  /** The working directory of a request without `cwd`: the home directory, else `/`. */
  readonly defaultCwd: string;
}

interface PasswdEntry {
  readonly name: string;
  readonly home: string;
}

/** The passwd entries by uid, from `/etc/passwd` (users from other NSS sources are not seen). */
function readPasswd(): Map<number, PasswdEntry> {
  const entries = new Map<number, PasswdEntry>();
  let text: string;
  try {
    text = readFileSync('/etc/passwd', 'utf8');
  } catch {
    return entries;
  }
  for (const line of text.split('\n')) {
    const [name, , uid, , , home] = line.split(':');
    if (name === undefined || uid === undefined || home === undefined || !/^\d+$/.test(uid)) continue;
    if (!entries.has(Number(uid))) entries.set(Number(uid), { name, home });
  }
  return entries;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Builds the users of `users` (name -> uid/gid), reading `/etc/passwd` once. */
export function resolveUsers<K>(
  users: ReadonlyMap<K, { readonly uid: number; readonly gid: number }>,
): Map<K, RunAsUser> {
  const passwd = users.size === 0 ? new Map<number, PasswdEntry>() : readPasswd();
  const resolved = new Map<K, RunAsUser>();
  for (const [key, { uid, gid }] of users) {
    const entry = passwd.get(uid);
    const home = entry !== undefined && isDirectory(entry.home) ? entry.home : undefined;
    resolved.set(key, {
      uid,
      gid,
      identity:
        entry === undefined
          ? { HOME: home ?? '/', USER: undefined, LOGNAME: undefined }
          : { HOME: entry.home, USER: entry.name, LOGNAME: entry.name },
      defaultCwd: home ?? '/',
    });
  }
  return resolved;
}

/**
 * node-pty's terminal child switches gid and uid but not the supplementary groups, so it would
 * keep the host's (root's). A root host needs none of them (root passes permission checks
 * anyway): they are cleared once, here, and every child starts without any.
 */
export function dropSupplementaryGroups(): void {
  if (process.getuid?.() === 0 && process.setgroups !== undefined) process.setgroups([]);
}

/**
 * Kills every process running as `user` (a setsid() daemon included), by a `kill -9 -1` run as
 * that user: the kernel signals every process the user may signal, but the caller. The uid must
 * be dedicated to this host. Resolves once the kill ran, or after `timeoutMs`.
 */
export function killEverythingOf(user: RunAsUser, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', ['-c', 'kill -9 -1'], { uid: user.uid, gid: user.gid, cwd: '/', env: {}, stdio: 'ignore' });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve();
    }, timeoutMs);
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    child.once('exit', done);
    child.once('error', done);
  });
}
