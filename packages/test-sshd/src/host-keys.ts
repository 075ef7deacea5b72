import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCommand } from '@vigil/test-processes';

export type HostKeyType = 'ed25519' | 'ecdsa' | 'rsa';

export interface HostKey {
  /** The key's algorithm name as on the wire, e.g. `ssh-ed25519`, `ecdsa-sha2-nistp256`. */
  type: string;
  /** `ssh-ed25519 AAAA…`: the public key line without a comment. */
  publicKey: string;
  /** `SHA256:…` as `ssh-keygen -lf` prints it. */
  fingerprint: string;
}

export interface HostKeyFile extends HostKey {
  /** The private key file, for sshd's `HostKey`. */
  path: string;
}

/** Throwaway host keys, so no test ever trusts or leaks the machine's own. */
export async function generateHostKeys(dir: string, types: readonly HostKeyType[]): Promise<HostKeyFile[]> {
  return Promise.all(
    types.map(async (type) => {
      const path = join(dir, `ssh_host_${type}_key`);
      // 2048-bit RSA is plenty for a key that lives for one test run and is much faster to make.
      const size = type === 'rsa' ? ['-b', '2048'] : [];
      await runCommand('ssh-keygen', [
        '-q',
        '-t',
        type,
        ...size,
        '-N',
        '',
        '-C',
        'vigil-test-sshd',
        '-f',
        path,
      ]);
      const publicKey = publicKeyLine(await readFile(`${path}.pub`, 'utf8'));
      return { type: publicKey.split(' ')[0]!, publicKey, fingerprint: fingerprintOf(publicKey), path };
    }),
  );
}

/** `type base64` from an OpenSSH public key line, dropping the comment. */
export function publicKeyLine(text: string): string {
  const [type, blob] = text.trim().split(/\s+/);
  if (type === undefined || blob === undefined) throw new Error(`not an OpenSSH public key: ${text}`);
  return `${type} ${blob}`;
}

/** OpenSSH's SHA256 fingerprint: the hash of the key blob, base64 without `=` padding. */
export function fingerprintOf(publicKey: string): string {
  const blob = Buffer.from(publicKeyLine(publicKey).split(' ')[1]!, 'base64');
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** known_hosts lines as OpenSSH writes them for a non-default port: `[host]:port type base64`. */
export function knownHostsFor(host: string, port: number, keys: readonly HostKey[]): string {
  return keys.map((key) => `[${host}]:${port} ${key.publicKey}\n`).join('');
}
