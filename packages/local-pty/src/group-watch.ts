/**
 * GroupWatch: tells each process whose leader exited when the rest of its process group is gone.
 * One watcher per host, one pass per tick for every watched group: a signal 0 to the group
 * (ESRCH: gone), and for the groups that answer, one read of /proc to see whether any member is
 * alive, since an exited member stays a zombie until init reaps it, which may take seconds (or
 * never, under an init that does not reap). Ticks come quickly after a change (a new group, a
 * signal sent), then every {@link MAX_TICK_MS}.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { groupExists } from './signals.js';

const FIRST_TICK_MS = 10;
const MAX_TICK_MS = 500;

export class GroupWatch {
  private readonly watched = new Map<number, () => void>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private tickMs = FIRST_TICK_MS;

  /** Calls `onGone` once no live member of group `pgid` is left; checks at once. */
  watch(pgid: number, onGone: () => void): void {
    if (!groupExists(pgid)) {
      onGone();
      return;
    }
    this.watched.set(pgid, onGone);
    this.soon();
  }

  /** Something was sent to a group: look again soon. */
  soon(): void {
    this.tickMs = FIRST_TICK_MS;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.tick(), this.tickMs);
    // The processes keep the host alive, not this watch.
    this.timer.unref();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private tick(): void {
    this.timer = undefined;
    const answering: number[] = [];
    for (const pgid of this.watched.keys()) {
      if (groupExists(pgid)) answering.push(pgid);
      else this.gone(pgid);
    }
    if (answering.length > 0) {
      const alive = groupsWithLiveMembers();
      if (alive !== undefined) for (const pgid of answering) if (!alive.has(pgid)) this.gone(pgid);
    }
    if (this.watched.size === 0) return;
    this.tickMs = Math.min(this.tickMs * 2, MAX_TICK_MS);
    this.timer = setTimeout(() => this.tick(), this.tickMs);
    this.timer.unref();
  }

  private gone(pgid: number): void {
    const onGone = this.watched.get(pgid);
    this.watched.delete(pgid);
    onGone?.();
  }
}

/** The process groups that have a member that is not a zombie; `undefined` without /proc. */
function groupsWithLiveMembers(): Set<number> | undefined {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return undefined;
  }
  const groups = new Set<number>();
  for (const entry of entries) {
    if (entry.charCodeAt(0) > 0x39) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    // After the command name: state ppid pgrp ...
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ', 3);
    if (fields[0] !== 'Z') groups.add(Number(fields[2]));
  }
  return groups;
}
