import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** The one folder holding a local cluster's state, and the files in it that up and down share. */
export interface ClusterFolder {
  dir: string;
  /** The supervisor's pid, which is also its process group's id. */
  pidFile: string;
  /** The JSON lines, written once every part is up. */
  partsFile: string;
  /** The supervisor's output: progress, and why a start failed. */
  logFile: string;
}

/** `$VIGIL_CLUSTER_DIR`, else `<tmp>/vigil-cluster`: fixed, so that `down` finds what `up` started. */
export function clusterFolder(env: NodeJS.ProcessEnv): ClusterFolder {
  const dir = resolve(env.VIGIL_CLUSTER_DIR || join(tmpdir(), 'vigil-cluster'));
  return {
    dir,
    pidFile: join(dir, 'cluster.pid'),
    partsFile: join(dir, 'parts.jsonl'),
    logFile: join(dir, 'cluster.log'),
  };
}

/** The supervisor's pid, or undefined when the folder or the file is missing or unreadable. */
export async function readSupervisorPid(folder: ClusterFolder): Promise<number | undefined> {
  const text = await readFile(folder.pidFile, 'utf8').catch(() => '');
  const pid = Number(text.trim());
  return Number.isInteger(pid) && pid > 1 ? pid : undefined;
}
