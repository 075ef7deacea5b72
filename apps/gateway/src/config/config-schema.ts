import { isIP } from 'node:net';

/** 127.0.0.0/8, ::1 and localhost: addresses nothing outside this machine can reach. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

import { AUTH_METHODS, FLOW_CONTROL } from '@vigil/protocol';
import { z } from 'zod';
import { isPasswordHash } from '../auth/password-hash.js';
import { sshOptionsSchema } from './ssh-options.js';

const SHA256_FINGERPRINT = /^SHA256:[A-Za-z0-9+/]{43}$/;
const PUBLIC_KEY_LINE =
  /^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)|sk-[a-z0-9@.-]+) [A-Za-z0-9+/]+={0,3}( .*)?$/;

/** A host key pin: an OpenSSH public key line (`ssh-ed25519 AAAA…`) or its `SHA256:` fingerprint. */
const hostKeyPin = z
  .string()
  .trim()
  .refine((pin) => SHA256_FINGERPRINT.test(pin) || PUBLIC_KEY_LINE.test(pin), {
    message: 'expected an OpenSSH public key line ("ssh-ed25519 AAAA…") or a fingerprint ("SHA256:…")',
  });

const hostKeysSchema = z
  .strictObject({
    /** Keys the target may present; any other key is refused. */
    pins: z.array(hostKeyPin).min(1).optional(),
    /** An OpenSSH known_hosts file consulted for this target (hashed names and [host]:port entries work). */
    knownHosts: z.string().min(1).optional(),
    /**
     * Show an unknown key's fingerprint to the person and, once accepted, remember it in
     * `<dataDir>/known_hosts`. A key that differs from a remembered one is still refused.
     * @default false
     */
    trustOnFirstUse: z.boolean().default(false),
  })
  .refine((h) => h.pins !== undefined || h.knownHosts !== undefined || h.trustOnFirstUse, {
    message:
      'give pins, a knownHosts file, or trustOnFirstUse: true (Vigil never connects to a host it cannot verify)',
  });

const authMethods = z
  .array(z.enum(AUTH_METHODS))
  .min(1)
  .refine((methods) => new Set(methods).size === methods.length, { message: 'lists a method twice' });

const port = z.number().int().min(1).max(65535);

const cidr = z.string().refine(
  (value) => {
    const [address, bits, extra] = value.split('/');
    const family = isIP(address ?? '');
    const max = family === 6 ? 128 : 32;
    return (
      family !== 0 && extra === undefined && bits !== undefined && /^\d+$/.test(bits) && Number(bits) <= max
    );
  },
  { message: 'expected a CIDR block such as 10.0.0.0/8 or fd00::/8' },
);

/** Who may use something: gateway users by name and groups (from OIDC, headers or local users). */
const grantsSchema = z.strictObject({
  users: z.array(z.string().min(1)).default([]),
  groups: z.array(z.string().min(1)).default([]),
});
export type Grants = z.output<typeof grantsSchema>;

const targetSchema = z.strictObject({
  /** Stable identifier the browser sends; letters, digits, `.`, `_`, `-`. */
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, {
    message: 'use letters, digits, ".", "_" and "-" (at most 64)',
  }),
  /** What people see in the picker. @default name */
  label: z.string().min(1).max(120).optional(),
  host: z.string().min(1),
  /** @default 22 */
  port: port.default(22),
  /** Fixes the SSH user; the browser then does not ask for one. */
  user: z.string().min(1).optional(),
  /** @default [password, publickey, keyboard-interactive] */
  authMethods: authMethods.default([...AUTH_METHODS]),
  hostKeys: hostKeysSchema,
  /** Environment for the shell (sshd passes only what its AcceptEnv allows). @default { LANG: C.UTF-8 } */
  env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string()).default({ LANG: 'C.UTF-8' }),
  /** ssh_config(5) options for this target (ServerAliveInterval, …); override `defaults.ssh`. */
  ssh: sshOptionsSchema.default({}),
  /** With sign-in configured: the gateway users and groups who see and reach this target. */
  allow: grantsSchema.optional(),
  /**
   * The target holds its own credentials: the gateway signs in as `user` with this key and people
   * are asked for nothing (they never see the key). Paths are relative to the config file; the key
   * file must be readable by its owner only, as ssh(1) requires.
   */
  credentials: z
    .strictObject({
      privateKeyFile: z.string().min(1),
      /** A file holding the key's passphrase, if the key is encrypted. */
      passphraseFile: z.string().min(1).optional(),
    })
    .optional(),
});

/** Off unless configured: lets people type a host, which must resolve into one of `allow`. */
const freeFormTargetsSchema = z.strictObject({
  allow: z.array(cidr).min(1),
  /** @default [22] */
  ports: z.array(port).min(1).default([22]),
  authMethods: authMethods.default([...AUTH_METHODS]),
  hostKeys: hostKeysSchema,
  ssh: sshOptionsSchema.default({}),
});

export const configSchema = z
  .strictObject({
    listen: z
      .strictObject({
        /** @default 127.0.0.1 */
        host: z.string().min(1).default('127.0.0.1'),
        /** @default 8022 */
        port: z.number().int().min(0).max(65535).default(8022),
        /**
         * The balancer or reverse proxy in front, as CIDR blocks: from these peers the client's
         * address is read from X-Forwarded-For (audit events, the per-address sign-in rate
         * limit) and the scheme from X-Forwarded-Proto (Secure cookies).
         * @default [] (the peer's own address; the headers are ignored)
         */
        trustProxy: z.array(cidr).default([]),
      })
      .prefault({}),
    /** Where Vigil keeps state (remembered host keys). Relative to the config file. @default ./data */
    dataDir: z.string().min(1).default('./data'),
    /** Folder of the built web app. @default the @vigil/web build next to the gateway */
    webRoot: z.string().min(1).optional(),
    defaults: z
      .strictObject({
        /** ssh_config(5) options for every target, below per-target blocks and `-o`. */
        ssh: sshOptionsSchema.default({}),
      })
      .prefault({}),
    /**
     * The browser leg's own heartbeat, driven by the gateway (WebSocket ping frames, answered by
     * the browser's network stack even in a throttled background tab).
     */
    browserHeartbeat: z
      .strictObject({
        /** Seconds of silence from the browser before a ping; well under the 60 s idle timeout of common proxies. @default 20 */
        interval: z.number().positive().max(3600).default(20),
        /** Unanswered pings before the browser leg is declared dead. @default 2 */
        countMax: z.number().int().min(1).max(100).default(2),
      })
      .prefault({}),
    /** Sign-in to the gateway itself. Absent: no sign-in, which is only allowed on loopback. */
    auth: z
      .strictObject({
        /** Users kept in this file, written by `vigil user add` (or hashes from `vigil hash-password`). */
        local: z
          .strictObject({
            users: z
              .array(
                z.strictObject({
                  name: z
                    .string()
                    .regex(/^[A-Za-z0-9._@-]{1,128}$/, { message: 'letters, digits, ".", "_", "@", "-"' }),
                  passwordHash: z
                    .string()
                    .refine(isPasswordHash, { message: 'expected a hash from `vigil hash-password`' }),
                  groups: z.array(z.string().min(1)).default([]),
                }),
              )
              .min(1),
          })
          .optional(),
        /** OpenID Connect: sign in at the organisation's identity provider (authorization code + PKCE). */
        oidc: z
          .strictObject({
            /** The issuer URL; its /.well-known/openid-configuration is read on first use. */
            issuer: z.url(),
            clientId: z.string().min(1),
            clientSecret: z.string().min(1).optional(),
            /** Where the provider sends people back: https://<vigil>/auth/oidc/callback. */
            redirectUri: z.url(),
            /** @default [openid, profile, email] */
            scopes: z.array(z.string()).default(['openid', 'profile', 'email']),
            /** Claim that names the user. @default preferred_username */
            userClaim: z.string().default('preferred_username'),
            /** Claim that lists the user's groups (ID token or userinfo). @default groups */
            groupsClaim: z.string().default('groups'),
          })
          .optional(),
        /** Behind an authenticating proxy: the user (and groups) come from headers, only from these addresses. */
        trustedHeader: z
          .strictObject({
            proxies: z.array(cidr).min(1),
            /** @default x-forwarded-user */
            userHeader: z.string().toLowerCase().default('x-forwarded-user'),
            /** Comma-separated groups. @default x-forwarded-groups */
            groupsHeader: z.string().toLowerCase().default('x-forwarded-groups'),
          })
          .optional(),
        /** Seconds a sign-in lasts. @default 43200 (12 h) */
        sessionLifetime: z
          .number()
          .int()
          .min(60)
          .max(30 * 86_400)
          .default(43_200),
        /** Who may read the audit log and play any recording. */
        admins: grantsSchema.prefault({}),
      })
      .refine(
        (auth) => auth.local !== undefined || auth.trustedHeader !== undefined || auth.oidc !== undefined,
        {
          message: 'configure at least one sign-in method (local, oidc or trustedHeader)',
        },
      )
      .optional(),
    /** What happens to a session whose browser went away. */
    sessions: z
      .strictObject({
        /** Seconds a session waits for its browser to come back before it is closed. @default 900 */
        detachedGrace: z
          .number()
          .min(0)
          .max(7 * 86_400)
          .default(900),
        /** Bytes of output kept per session for replay after a drop or reload. @default 4194304 (4 MiB) */
        replayBuffer: z
          .number()
          .int()
          .min(FLOW_CONTROL.initialWindow, {
            message: `must be at least the initial flow-control window (${FLOW_CONTROL.initialWindow} bytes)`,
          })
          .max(1024 * 1024 * 1024)
          .default(4 * 1024 * 1024),
        /**
         * When the buffer is full and no browser is attached: `pause` stops reading the SSH channel
         * (the remote program waits, nothing is lost); `drop-oldest` keeps reading and drops the
         * oldest output (the browser is told how much). @default pause
         */
        overflow: z.enum(['pause', 'drop-oldest']).default('pause'),
        /**
         * Cluster mode: seconds a draining replica (after SIGTERM) lets its running sessions go on
         * before it closes them as a shutdown does; it exits as soon as the last one ends. @default 900
         */
        drainLimit: z
          .number()
          .min(0)
          .max(7 * 86_400)
          .default(900),
      })
      .prefault({}),
    limits: z
      .strictObject({
        /** Live sessions (attached or waiting for their browser) one owner may hold. @default 10 */
        maxSessionsPerUser: z.number().int().min(1).max(10_000).default(10),
        /**
         * Close a session after this many seconds without input or output; 0 = never. Bastion
         * policy, unrelated to heartbeats (which keep dead paths from lingering). @default 0
         */
        idleTimeout: z
          .number()
          .min(0)
          .max(30 * 86_400)
          .default(0),
      })
      .prefault({}),
    /** Session recordings in asciicast v2, one file per session, playable by the asciinema player. */
    recordings: z
      .strictObject({
        /** @default true */
        enabled: z.boolean().default(true),
        /** Also record what people type; off because typed passwords would land in the file. @default false */
        input: z.boolean().default(false),
        /** Folder of the .cast files. Relative to the config file. @default <dataDir>/recordings */
        directory: z.string().min(1).optional(),
        /**
         * When a recording cannot be written (a full or read-only disk): `refuse-new` lets running
         * sessions go on unrecorded but opens no new one until the folder takes writes again;
         * `end-sessions` also ends the running ones; `continue` opens sessions unrecorded. Each
         * failure is logged, audited and counted whatever the policy. @default refuse-new
         */
        whenImpossible: z.enum(['refuse-new', 'end-sessions', 'continue']).default('refuse-new'),
        /**
         * Recordings in an S3-compatible bucket instead of `directory`: uploaded in parts while the
         * session runs, one object per session once it ends. Credentials come only from the
         * standard AWS environment variables. Absent: local files, the embedded default.
         */
        s3: z
          .strictObject({
            bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, {
              message: 'must be an S3 bucket name: 3 to 63 lowercase letters, digits, dots and hyphens',
            }),
            /** An S3-compatible server, `https://host:port`. @default AWS_ENDPOINT_URL_S3, else AWS S3 */
            endpoint: z.url({ protocol: /^https?$/ }).optional(),
            /** @default AWS_REGION, else AWS_DEFAULT_REGION, else us-east-1 */
            region: z.string().min(1).optional(),
            /** Put before every key, e.g. `vigil/` for a folder. @default '' */
            prefix: z
              .string()
              .max(512)
              .regex(/^[A-Za-z0-9!_.*'()/-]*$/, { message: 'only S3-safe key characters' })
              .default(''),
            /** `https://endpoint/bucket/key` instead of `https://bucket.endpoint/key` (most S3-compatible servers). @default false */
            forcePathStyle: z.boolean().default(false),
          })
          .optional(),
      })
      .prefault({}),
    audit: z
      .strictObject({
        /** SQLite database of the audit trail. Relative to the config file. @default <dataDir>/audit.db */
        database: z.string().min(1).optional(),
      })
      .prefault({}),
    /**
     * Replicas sharing state. Absent (and no VIGIL_DATABASE_URL): one process with SQLite and
     * local files, the embedded default.
     */
    cluster: z
      .strictObject({
        /**
         * PostgreSQL for the shared state (the audit trail first), as `postgres://user:password@host/db`.
         * VIGIL_DATABASE_URL in the environment stands in when this is absent, so the password
         * need not be in the file.
         */
        databaseUrl: z
          .string()
          .regex(/^postgres(ql)?:\/\/\S+$/, { message: 'must be a postgres:// or postgresql:// URL' })
          .optional(),
        /**
         * How the other replicas reach this one's internal API (/internal/), e.g.
         * `http://10.0.0.5:8080`. VIGIL_REPLICA_URL stands in when absent; without either it is
         * `http://<listen.host>:<port>`, which needs a concrete listen.host (not 0.0.0.0 or ::).
         */
        replicaUrl: z.url({ protocol: /^https?$/ }).optional(),
        /**
         * A file holding the secret the replicas share (at least 32 bytes; e.g. `openssl rand -hex 32`):
         * it signs every internal hop, and a replica whose secret differs from the cluster's
         * cannot join. Relative to the config file. VIGIL_CLUSTER_SECRET stands in when absent;
         * one of the two is required with a database.
         */
        secretFile: z.string().min(1).optional(),
        /**
         * Seconds a replica's lease lasts; it renews every third of it against the database's
         * clock. A replica that stops renewing (crashed, frozen, cut off) loses its sessions to the
         * others' sweep after at most this plus a second. @default 10
         */
        leaseSeconds: z.number().min(2).max(300).default(10),
      })
      .prefault({}),
    /** Seconds to reach a target and finish the SSH handshake. @default 15 */
    connectTimeout: z.number().positive().max(300).default(15),
    targets: z.array(targetSchema).default([]),
    freeFormTargets: freeFormTargetsSchema.optional(),
  })
  .superRefine((config, ctx) => {
    // A bastion facing a network without sign-in would hand shells to anyone who finds it.
    if (config.auth === undefined && !isLoopback(config.listen.host)) {
      ctx.addIssue({
        code: 'custom',
        path: ['listen', 'host'],
        message: `listening on ${config.listen.host} needs sign-in: configure auth (local users or a trusted header), or listen on 127.0.0.1`,
      });
    }
    if (config.auth !== undefined) {
      config.targets.forEach((target, index) => {
        if (target.allow === undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['targets', index],
            message:
              'with sign-in configured, say who may use this target: allow: { users: [...], groups: [...] }',
          });
        }
      });
    }
    config.targets.forEach((target, index) => {
      if (target.credentials !== undefined && target.user === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['targets', index, 'user'],
          message: 'a target with credentials needs the SSH user they belong to: user: <name>',
        });
      }
    });
    const seen = new Set<string>();
    config.targets.forEach((target, index) => {
      if (seen.has(target.name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['targets', index, 'name'],
          message: `"${target.name}" is used twice`,
        });
      }
      seen.add(target.name);
    });
  });

export type Config = z.output<typeof configSchema>;
export type TargetConfig = Config['targets'][number];
export type HostKeyPolicy = TargetConfig['hostKeys'];
export type FreeFormTargetsConfig = NonNullable<Config['freeFormTargets']>;
export type AuthConfig = NonNullable<Config['auth']>;
