/**
 * The fallback for signalling a process group when no exec can start in its container (the
 * container is at its pids limit, so a fork bomb there could not be stopped otherwise). The engine
 * reports each exec's pid as this host sees it; that pid is used only when this machine's
 * `/proc/<pid>/cgroup` names the exec's container, so a remote engine's pid (or one from another
 * pid namespace) never reaches an unrelated process.
 */
import { readFile } from 'node:fs/promises';
import type { SignalName } from '@procwire/core/transport';
import type Docker from 'dockerode';

/** Signals the exec's process group from this host; false when that is not possible here. */
export async function signalFromHost(docker: Docker, execId: string, signal: SignalName): Promise<boolean> {
  let pid: number;
  let containerId: string;
  try {
    const inspected = await docker.getExec(execId).inspect();
    pid = inspected.Pid;
    containerId = inspected.ContainerID;
  } catch {
    return false;
  }
  if (!(pid > 0) || containerId === '') return false;
  let cgroup: string;
  try {
    cgroup = await readFile(`/proc/${pid}/cgroup`, 'utf8');
  } catch {
    return false;
  }
  if (!cgroup.includes(containerId)) return false;
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    try {
      process.kill(pid, signal);
      return true;
    } catch {
      return false;
    }
  }
}
