import { rm } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { type ClusterFolder, readSupervisorPid } from './cluster-folder.js';
import { isRunning, runningInGroup } from './process-group.js';

/** The supervisor stops HAProxy, then the replicas (each closes within 15 s), then PostgreSQL and Ceph. */
const SUPERVISOR_STOP_MS = 60_000;
const GROUP_KILL_MS = 10_000;
const POLL_MS = 100;

/**
 * Asks the supervisor to stop every part (SIGTERM), then kills whatever is left of its process
 * group, and removes the folder. Returns false when no cluster was up there.
 */
export async function clusterDown(folder: ClusterFolder): Promise<boolean> {
  const pid = await readSupervisorPid(folder);
  if (pid === undefined) {
    await rm(folder.dir, { recursive: true, force: true });
    return false;
  }
  if (isRunning(pid)) {
    process.kill(pid, 'SIGTERM');
    await until(() => !isRunning(pid), SUPERVISOR_STOP_MS);
  }
  await stopGroup(pid);
  await rm(folder.dir, { recursive: true, force: true });
  return true;
}

/** SIGKILL for every process left in the group (the supervisor's pid is its id), until none runs. */
export async function stopGroup(groupId: number): Promise<void> {
  if (runningInGroup(groupId).length === 0) return;
  try {
    process.kill(-groupId, 'SIGKILL');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
  if (!(await until(() => runningInGroup(groupId).length === 0, GROUP_KILL_MS))) {
    throw new Error(`processes ${runningInGroup(groupId).join(', ')} outlived SIGKILL`);
  }
}

async function until(done: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) return false;
    await sleep(POLL_MS);
  }
  return true;
}
