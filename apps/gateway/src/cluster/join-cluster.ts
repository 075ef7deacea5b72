import { readFile } from 'node:fs/promises';
import type { FastifyBaseLogger } from 'fastify';
import type { AuditLog } from '../audit/audit-log.js';
import type { Config } from '../config/config-schema.js';
import { ConfigError } from '../config/load-config.js';
import type { SessionRegistry } from '../session/session-registry.js';
import type { ClusterState } from './cluster-state.js';
import { HopTokens, MIN_SECRET_BYTES, secretVerifier } from './hop-token.js';
import { ReplicaMembership } from './replica-membership.js';
import { ReplicaPeers } from './replica-peers.js';

export interface Cluster {
  tokens: HopTokens;
  peers: ReplicaPeers;
  /** After listening: registers this replica (at its URL) and starts its lease. */
  join(listening: { host: string; port: number }): Promise<ReplicaMembership>;
  /** The membership once joined. */
  membership(): ReplicaMembership | undefined;
}

/** The cluster secret: from cluster.secretFile, else VIGIL_CLUSTER_SECRET; one is required with a database. */
async function readSecret(config: Config, env: NodeJS.ProcessEnv): Promise<Buffer> {
  const { secretFile } = config.cluster;
  let secret: Buffer;
  let setting: string;
  if (secretFile !== undefined) {
    setting = 'cluster.secretFile';
    try {
      secret = Buffer.from((await readFile(secretFile, 'utf8')).trim());
    } catch (error) {
      throw new ConfigError([`cluster.secretFile: cannot read ${secretFile}: ${(error as Error).message}`]);
    }
  } else if (env.VIGIL_CLUSTER_SECRET) {
    setting = 'VIGIL_CLUSTER_SECRET';
    secret = Buffer.from(env.VIGIL_CLUSTER_SECRET.trim());
  } else {
    throw new ConfigError([
      'cluster.secretFile: replicas sharing a database need a shared secret (cluster.secretFile or VIGIL_CLUSTER_SECRET, at least 32 bytes, e.g. `openssl rand -hex 32`)',
    ]);
  }
  if (secret.length < MIN_SECRET_BYTES)
    throw new ConfigError([
      `${setting}: the cluster secret must be at least ${MIN_SECRET_BYTES} bytes, got ${secret.length}`,
    ]);
  return secret;
}

/** How the others reach this replica: cluster.replicaUrl, VIGIL_REPLICA_URL, or the address it listens on. */
export function replicaUrl(
  config: Config,
  listening: { host: string; port: number },
  env: NodeJS.ProcessEnv,
): string {
  const given = config.cluster.replicaUrl ?? (env.VIGIL_REPLICA_URL || undefined);
  if (given !== undefined) return given;
  const { host } = listening;
  if (host === '0.0.0.0' || host === '::' || host === '')
    throw new ConfigError([
      `cluster.replicaUrl: listening on ${host || 'every address'}, this replica cannot tell the others where to reach it; set cluster.replicaUrl (or VIGIL_REPLICA_URL)`,
    ]);
  return `http://${host.includes(':') ? `[${host}]` : host}:${listening.port}`;
}

/**
 * Prepares this replica's part in the cluster before it listens: the secret (which must match
 * the one the cluster's first replica stored a verifier of), the hop tokens and the peers.
 */
export async function prepareCluster(
  config: Config,
  state: ClusterState,
  deps: { audit: AuditLog; registry: SessionRegistry; log: FastifyBaseLogger },
  env: NodeJS.ProcessEnv = process.env,
): Promise<Cluster> {
  const secret = await readSecret(config, env);
  if (!(await state.checkSecret(secretVerifier(secret)))) {
    throw new ConfigError([
      `${config.cluster.secretFile === undefined ? 'VIGIL_CLUSTER_SECRET' : 'cluster.secretFile'}: this secret differs from the one the cluster's replicas use, so this replica cannot join`,
    ]);
  }
  const tokens = new HopTokens(secret);
  let membership: ReplicaMembership | undefined;
  let joined: (membership: ReplicaMembership) => void = () => {};
  deps.registry.useDirectory(
    new Promise((resolve) => {
      joined = resolve;
    }),
  );
  const peers = new ReplicaPeers(state, tokens, () => membership?.id ?? '', deps.log);
  return {
    tokens,
    peers,
    membership: () => membership,
    async join(listening) {
      membership = await ReplicaMembership.join(
        state,
        { url: replicaUrl(config, listening, env), leaseSeconds: config.cluster.leaseSeconds },
        deps.audit,
        deps.log,
        { sessions: () => deps.registry.counts(), lost: () => deps.registry.closeLost() },
      );
      joined(membership);
      return membership;
    },
  };
}
