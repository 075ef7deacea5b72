import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { HostKeyPolicy } from '../config/config-schema.js';
import type { KnownKeys, OfferedHostKey } from './host-key-policy.js';
import { entriesFor, knownHostsLine, parseKnownHosts } from './known-hosts.js';

/** Where keys accepted on first use are remembered, in OpenSSH's own format. */
export function trustedOnFirstUseFile(dataDir: string): string {
  return join(dataDir, 'known_hosts');
}

async function readIfPresent(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    // A known_hosts file that does not exist yet simply knows no hosts, as with ssh(1).
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw error;
  }
}

/** Read on every connection, so an operator's edit takes effect without a restart. */
export async function loadKnownKeys(
  policy: HostKeyPolicy,
  dataDir: string,
  host: string,
  port: number,
): Promise<KnownKeys> {
  const files = [
    ...(policy.knownHosts === undefined ? [] : [policy.knownHosts]),
    ...(policy.trustOnFirstUse ? [trustedOnFirstUseFile(dataDir)] : []),
  ];
  const texts = await Promise.all(files.map(readIfPresent));
  return { pins: policy.pins, knownHosts: entriesFor(parseKnownHosts(texts.join('\n')), host, port) };
}

export async function rememberHostKey(dataDir: string, host: string, port: number, offered: OfferedHostKey) {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  await appendFile(trustedOnFirstUseFile(dataDir), knownHostsLine(host, port, offered.keyType, offered.key), {
    mode: 0o600,
  });
}
