import { rename, writeFile } from 'node:fs/promises';
import type { Config } from '@vigil/gateway';
import type { ClusterFolder } from './cluster-folder.js';
import { clusterParts } from './cluster-parts.js';
import { startCluster } from './start-cluster.js';

/**
 * The background process `up` leaves running: it holds the fixtures (they stop their servers
 * when it exits), writes the JSON lines once every part is up, and stops them all on SIGTERM.
 * Its output is the cluster's log.
 */
export async function superviseCluster(folder: ClusterFolder, source: Config, replicas: number) {
  const progress = (message: string) => process.stderr.write(`${new Date().toISOString()} ${message}\n`);
  // Signal handlers alone do not keep Node running; the parts' pipes may all be gone.
  const keepAlive = setInterval(() => {}, 60_000);
  let stopRequested = false;
  const stopping = new Promise<string>((resolve) => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => resolve(signal));
  }).then((signal) => {
    stopRequested = true;
    progress(`${signal}: stopping`);
  });
  const cluster = await startCluster({ source, replicas, dir: folder.dir, progress });
  if (!stopRequested) {
    const lines = clusterParts(cluster, { dir: folder.dir, pid: process.pid, log: folder.logFile });
    const text = lines.map((line) => `${JSON.stringify(line)}\n`).join('');
    // Whole or not at all: `up` prints the file as soon as it exists.
    await writeFile(`${folder.partsFile}.tmp`, text, { mode: 0o600 });
    await rename(`${folder.partsFile}.tmp`, folder.partsFile);
    progress('cluster up');
    for (const replica of cluster.replicas) {
      // A replica that dies (a fault test's kill -9) is noted; the rest of the cluster stays.
      void replica.exited.then(() => progress(`${replica.name} (pid ${replica.pid}) exited`));
    }
  }
  await stopping;
  await cluster.stop();
  clearInterval(keepAlive);
  progress('cluster stopped');
}
