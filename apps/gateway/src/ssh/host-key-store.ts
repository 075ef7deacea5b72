import { readFile } from 'node:fs/promises';
import type { HostKeyPolicy } from '../config/config-schema.js';
import type { KnownKeys, OfferedHostKey } from './host-key-policy.js';
import { entriesFor, type KnownHostsEntry, parseKnownHosts } from './known-hosts.js';

/**
 * Host keys accepted on first use, remembered where every gateway process that serves the target
 * sees them: a known_hosts file of the process's own (storage/local) or a table every replica
 * shares (storage/shared).
 */
export interface FirstUseKeys {
  /** The keys remembered for host:port. */
  entriesFor(host: string, port: number): Promise<KnownHostsEntry[]>;
  /**
   * Remembers `offered` for host:port unless a key of its type is remembered already: the first
   * writer wins, atomically. Returns the key remembered for that type now, the offered one or
   * the one remembered first; a different one means the offered key is a mismatch.
   */
  remember(host: string, port: number, offered: OfferedHostKey): Promise<Buffer>;
}

export async function readIfPresent(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    // A known_hosts file that does not exist yet simply knows no hosts, as with ssh(1).
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw error;
  }
}

/** Read on every connection, so an operator's edit (or another replica's first use) counts without a restart. */
export async function loadKnownKeys(
  policy: HostKeyPolicy,
  firstUse: FirstUseKeys,
  host: string,
  port: number,
): Promise<KnownKeys> {
  const operator =
    policy.knownHosts === undefined
      ? []
      : entriesFor(parseKnownHosts(await readIfPresent(policy.knownHosts)), host, port);
  const remembered = policy.trustOnFirstUse ? await firstUse.entriesFor(host, port) : [];
  return { pins: policy.pins, knownHosts: [...operator, ...remembered] };
}
