import { configSchema, parseConfig } from '@vigil/gateway';
import { describe, expect, it } from 'vitest';
import { replicaConfig, replicaEnv, type SharedParts } from './replica-config.js';

const shared: SharedParts = {
  databaseUrl: 'postgres://postgres@127.0.0.1:15432/vigil',
  secretFile: '/c/cluster-secret',
  s3: {
    endpoint: 'http://127.0.0.1:17480',
    region: 'us-east-1',
    bucket: 'vigil-recordings',
    accessKeyId: 'AKEY',
    secretAccessKey: 'SECRET',
  },
};

// What a person's --config may hold: relative paths, its own listen address and state folders.
const PERSONS_CONFIG = `
listen: { host: 0.0.0.0, port: 8022 }
dataDir: ./state
audit: { database: ./state/audit.db }
recordings: { directory: ./casts, whenImpossible: continue }
browserHeartbeat: { interval: 10 }
cluster: { leaseSeconds: 6, replicaUrl: http://10.0.0.5:8022 }
auth:
  local:
    users:
      - name: alice
        passwordHash: "$scrypt$ln=15,r=8,p=1$YYqj6RwCb8yALvNi9DssWQ==$EOYl/VkuKsD0Mi4REYSkfJ286W2U1VPs5fKZqkbFY5o="
targets:
  - name: db
    host: 10.0.0.5
    allow: { users: [alice] }
    hostKeys: { knownHosts: ./known_hosts }
    ssh: { ServerAliveInterval: "30" }
`;

describe('replicaConfig', () => {
  const source = parseConfig(PERSONS_CONFIG, '/etc/vigil/vigil.yaml', '/etc/vigil');
  const config = replicaConfig({ source, port: 18001, dataDir: '/c/replica-1/data', shared });

  it("keeps the person's targets, sign-in and policies, with paths still pointing at the person's files", () => {
    const parsed = configSchema.parse(config);
    expect(parsed.targets).toEqual(source.targets);
    expect(parsed.targets[0]?.hostKeys.knownHosts).toBe('/etc/vigil/known_hosts');
    expect(parsed.auth).toEqual(source.auth);
    expect(parsed.browserHeartbeat.interval).toBe(10);
    expect(parsed.recordings.whenImpossible).toBe('continue');
  });

  it('listens on loopback at its own port and keeps its state in its own folder, the audit trail in the database', () => {
    const parsed = configSchema.parse(config);
    expect(parsed.listen).toEqual({ host: '127.0.0.1', port: 18001, trustProxy: ['127.0.0.1/32'] });
    expect(parsed.dataDir).toBe('/c/replica-1/data');
    expect(parsed.recordings.directory).toBeUndefined();
    expect(parsed.audit.database).toBeUndefined();
    expect(parsed.cluster.databaseUrl).toBeUndefined();
  });

  it("records into the cluster's bucket, so that any replica plays any recording", () => {
    expect(configSchema.parse(config).recordings.s3).toEqual({
      bucket: 'vigil-recordings',
      endpoint: 'http://127.0.0.1:17480',
      prefix: '',
      forcePathStyle: true,
    });
  });

  it("joins the cluster at its own address with the cluster's secret, keeping the person's lease", () => {
    expect(configSchema.parse(config).cluster).toEqual({
      replicaUrl: 'http://127.0.0.1:18001',
      secretFile: '/c/cluster-secret',
      leaseSeconds: 6,
    });
  });

  it('gives the database URL and the S3 credentials in the environment, not in the file', () => {
    expect(JSON.stringify(config)).not.toContain('SECRET');
    expect(replicaEnv({ shared })).toEqual({
      VIGIL_DATABASE_URL: shared.databaseUrl,
      AWS_ACCESS_KEY_ID: 'AKEY',
      AWS_SECRET_ACCESS_KEY: 'SECRET',
      AWS_REGION: 'us-east-1',
    });
  });
});
