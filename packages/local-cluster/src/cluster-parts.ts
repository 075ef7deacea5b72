import type { LocalCluster } from './start-cluster.js';

/** One line of `scripts/cluster.sh up`'s output: one part of the cluster. */
export type ClusterPart =
  | { part: 'balancer'; url: string; pid: number }
  | { part: 'replica'; name: string; url: string; pid: number }
  | { part: 'database'; url: string }
  | {
      part: 's3';
      endpoint: string;
      region: string;
      bucket: string;
      accessKeyId: string;
      secretAccessKey: string;
    }
  /** The supervisor holding the parts, and the folder holding their state; `down` stops both. */
  | { part: 'cluster'; dir: string; pid: number; log: string };

/** The balancer first: it is the URL to open. */
export function clusterParts(
  cluster: LocalCluster,
  supervisor: { dir: string; pid: number; log: string },
): ClusterPart[] {
  return [
    { part: 'balancer', url: cluster.balancer.url, pid: cluster.balancer.pid },
    ...cluster.replicas.map(({ name, url, pid }) => ({ part: 'replica' as const, name, url, pid })),
    { part: 'database', url: cluster.database.url },
    { part: 's3', ...cluster.shared.s3 },
    { part: 'cluster', ...supervisor },
  ];
}
