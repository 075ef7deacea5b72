import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { stopGroup } from './cluster-down.js';
import { type ClusterFolder, readSupervisorPid } from './cluster-folder.js';
import { isRunning } from './process-group.js';

/** Ceph alone takes about 15 s on an idle machine; a loaded CI runner is several times slower. */
const UP_TIMEOUT_MS = 240_000;
const POLL_MS = 200;

export class ClusterUpError extends Error {}

/**
 * Starts the supervisor in a process group of its own (so `down` can stop whatever it left),
 * with the cluster's folder as its TMPDIR (so every fixture's folder is inside it), and returns
 * the JSON lines once every part is up. On failure the folder is removed and nothing is left.
 */
export async function clusterUp(folder: ClusterFolder, supervisorArgs: readonly string[]): Promise<string> {
  const existing = await readSupervisorPid(folder);
  if (existing !== undefined && isRunning(existing)) {
    throw new ClusterUpError(`a cluster is already up in ${folder.dir} (pid ${existing}); run "down" first`);
  }
  // What a crashed run left behind.
  await rm(folder.dir, { recursive: true, force: true });
  await mkdir(folder.dir, { recursive: true });
  // Traversable, not readable: PostgreSQL runs as the postgres user in a folder of its own inside.
  await chmod(folder.dir, 0o711);
  const log = openSync(folder.logFile, 'a', 0o600);
  const child = spawn(process.execPath, [process.argv[1] ?? '', 'supervise', ...supervisorArgs], {
    detached: true,
    stdio: ['ignore', log, log],
    // The supervisor must find the same folder, whose TMPDIR it now is: named, not derived again.
    env: { ...process.env, TMPDIR: folder.dir, VIGIL_CLUSTER_DIR: folder.dir },
  });
  closeSync(log);
  const pid = child.pid;
  if (pid === undefined) throw new ClusterUpError('could not start the cluster supervisor');
  await writeFile(folder.pidFile, `${pid}\n`);
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  child.unref();
  const deadline = Date.now() + UP_TIMEOUT_MS;
  for (;;) {
    if (existsSync(folder.partsFile)) return readFile(folder.partsFile, 'utf8');
    if (exited || Date.now() > deadline) {
      const why = exited ? 'the cluster did not start' : `the cluster was not up within ${UP_TIMEOUT_MS} ms`;
      const logText = await readFile(folder.logFile, 'utf8').catch(() => '');
      await stopGroup(pid);
      await rm(folder.dir, { recursive: true, force: true });
      throw new ClusterUpError(`${why}; its log:\n${logText.split('\n').slice(-60).join('\n')}`);
    }
    await sleep(POLL_MS);
  }
}
