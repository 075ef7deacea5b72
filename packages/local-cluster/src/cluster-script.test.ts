import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterPart } from './cluster-parts.js';
import { isRunning, runningInGroup } from './process-group.js';

const CLUSTER_SH = fileURLToPath(new URL('../../../scripts/cluster.sh', import.meta.url));
/** Ceph takes about 15 s on an idle machine; `up` itself gives up after 240 s. */
const UP_MS = 270_000;
const DOWN_MS = 90_000;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs scripts/cluster.sh as the README shows it, without VIGIL_CLUSTER_DIR: its folder is then
 * `<TMPDIR>/vigil-cluster`, here under a TMPDIR of the test's own. Bounded: killed when it overstays.
 */
function clusterSh(args: string[], tmp: string, timeoutMs: number): Promise<Run> {
  const { VIGIL_CLUSTER_DIR: _, ...env } = process.env;
  return new Promise((resolve, reject) => {
    const child = spawn('sh', [CLUSTER_SH, ...args], {
      env: { ...env, TMPDIR: tmp },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: timeoutMs,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

let parent: string;
let dir: string;
let parts: ClusterPart[] = [];
let up: Run;

beforeAll(async () => {
  parent = await mkdtemp(join(tmpdir(), 'vigil-cluster-test-'));
  // PostgreSQL runs as the postgres user in a folder inside: it must be able to pass through.
  await chmod(parent, 0o711);
  dir = join(parent, 'vigil-cluster');
  up = await clusterSh(['up'], parent, UP_MS);
  parts = up.stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as ClusterPart);
}, UP_MS + 10_000);
afterAll(async () => {
  // Whatever a failed assertion left running.
  await clusterSh(['down'], parent, DOWN_MS);
  await rm(parent, { recursive: true, force: true });
}, DOWN_MS + 10_000);

function only<K extends ClusterPart['part']>(kind: K): Extract<ClusterPart, { part: K }>[] {
  return parts.filter((part): part is Extract<ClusterPart, { part: K }> => part.part === kind);
}

describe('scripts/cluster.sh', { timeout: DOWN_MS + 30_000 }, () => {
  it('up prints one JSON line per part: the balancer, three replicas, the database, S3 and the folder', () => {
    expect(up.code, up.stderr).toBe(0);
    expect(parts.map((part) => part.part)).toEqual([
      'balancer',
      'replica',
      'replica',
      'replica',
      'database',
      's3',
      'cluster',
    ]);
    for (const { url } of [...only('balancer'), ...only('replica')])
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(only('database')[0]?.url).toMatch(/^postgres:\/\/postgres@127\.0\.0\.1:\d+\/vigil$/);
    expect(only('s3')[0]?.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(only('cluster')[0]?.dir).toBe(dir);
  });

  it('the balancer answers /readyz, and so does each replica at its own URL, each a member of the cluster', async () => {
    const [balancer] = only('balancer');
    expect((await fetch(`${balancer?.url}/readyz`)).status).toBe(200);
    for (const replica of only('replica')) {
      expect((await fetch(`${replica.url}/readyz`)).status).toBe(200);
      expect(isRunning(replica.pid)).toBe(true);
    }
    // Every replica joined the cluster: each holds a live lease in the shared database.
    const database = new Client({ connectionString: only('database')[0]?.url });
    await database.connect();
    try {
      const { rows } = await database.query<{ url: string }>(
        'SELECT url FROM replicas WHERE lease_until > now() ORDER BY url',
      );
      expect(rows.map((row) => row.url)).toEqual(
        only('replica')
          .map((replica) => replica.url)
          .sort(),
      );
    } finally {
      await database.end();
    }
    // The replicas' own hop is not reachable from outside.
    expect((await fetch(`${balancer?.url}/internal/anything`)).status).toBe(403);
  });

  it("keeps every part's state in its one folder", () => {
    expect(existsSync(join(dir, 'replica-1', 'vigil.yaml'))).toBe(true);
    const inFolder = (path: string) => path.startsWith(`${dir}/`);
    expect(only('cluster').every((part) => inFolder(part.log))).toBe(true);
  });

  it('up again while it runs is refused, and the running cluster is untouched', async () => {
    const again = await clusterSh(['up'], parent, UP_MS);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already up/);
    expect((await fetch(`${only('balancer')[0]?.url}/readyz`)).status).toBe(200);
  });

  it('down stops every process and removes the folder', async () => {
    const [cluster] = only('cluster');
    expect(cluster, 'up printed no cluster line').toBeDefined();
    const pids = [...only('replica'), ...only('balancer'), ...only('cluster')].map((part) => part.pid);
    const down = await clusterSh(['down'], parent, DOWN_MS);
    expect(down.code, down.stderr).toBe(0);
    expect(pids.filter(isRunning)).toEqual([]);
    // PostgreSQL and Ceph's daemons too: everything the supervisor started was in its group.
    expect(runningInGroup(cluster?.pid ?? 0)).toEqual([]);
    expect(existsSync(dir)).toBe(false);
    const again = await clusterSh(['down'], parent, DOWN_MS);
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/no cluster was up/);
  });
});
