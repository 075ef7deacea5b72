import { z } from 'zod';

/**
 * The ssh_config(5) options Vigil honours, with OpenSSH's names. Values given as text (from
 * `-o Name=value`) are converted as ssh(1) converts them; `yes`/`no` are booleans.
 */
const yesNo = z.union([
  z.boolean(),
  z
    .string()
    .toLowerCase()
    .pipe(z.enum(['yes', 'no']))
    .transform((v) => v === 'yes'),
]);
const seconds = z
  .union([z.number(), z.string().regex(/^\d+$/).transform(Number)])
  .pipe(z.number().int().min(0).max(86_400));
const count = z
  .union([z.number(), z.string().regex(/^\d+$/).transform(Number)])
  .pipe(z.number().int().min(0).max(1000));

export const sshOptionsSchema = z.strictObject({
  /** Seconds of silence from the server before a keepalive@openssh.com request; 0 = off. @default 15 (Vigil) */
  ServerAliveInterval: seconds.optional(),
  /** Unanswered keepalives before "Timeout, server HOST not responding." @default 3 */
  ServerAliveCountMax: count.optional(),
  /** Kernel TCP keepalive probes on the socket to the target. @default yes */
  TCPKeepAlive: yesNo.optional(),
  /** Vigil's addition: idle seconds before the first TCP keepalive probe. @default 60 */
  TCPKeepAliveDelay: seconds.optional(),
});

export type SshOptionsInput = z.input<typeof sshOptionsSchema>;
export type SshOptions = Required<z.output<typeof sshOptionsSchema>>;
export type SshOptionName = keyof SshOptions;

/**
 * Vigil ships with heartbeats on: 15 s × 3 detects a dead path within a minute and sends at least
 * one packet every 15 s of silence, which keeps NAT and firewall state alive. OpenSSH's own
 * defaults (interval 0 = off) are what `ServerAliveInterval 0` restores.
 */
export const VIGIL_SSH_DEFAULTS: SshOptions = {
  ServerAliveInterval: 15,
  ServerAliveCountMax: 3,
  TCPKeepAlive: true,
  TCPKeepAliveDelay: 60,
};

export const SSH_OPTION_NAMES = Object.keys(VIGIL_SSH_DEFAULTS) as SshOptionName[];

/** Precedence as in ssh(1): command line over the target's block over the defaults block. */
export function effectiveSshOptions(...layers: (Partial<SshOptions> | undefined)[]): SshOptions {
  const merged: SshOptions = { ...VIGIL_SSH_DEFAULTS };
  for (const layer of layers) {
    for (const [name, value] of Object.entries(layer ?? {})) {
      if (value !== undefined) (merged as Record<string, unknown>)[name] = value;
    }
  }
  return merged;
}
