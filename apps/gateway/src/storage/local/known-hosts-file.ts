import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { OfferedHostKey } from '../../ssh/host-key-policy.js';
import { type FirstUseKeys, readIfPresent } from '../../ssh/host-key-store.js';
import { entriesFor, knownHostsLine, parseKnownHosts } from '../../ssh/known-hosts.js';

/** Where keys accepted on first use are remembered by one process, in OpenSSH's own format. */
export function trustedOnFirstUseFile(dataDir: string): string {
  return join(dataDir, 'known_hosts');
}

/**
 * First-use keys in `<dataDir>/known_hosts` (the local side). Remembering is one step at a time
 * within the process, so two sessions accepting the same host at once keep the first key.
 */
export class KnownHostsFile implements FirstUseKeys {
  private last: Promise<unknown> = Promise.resolve();

  constructor(private readonly dataDir: string) {}

  async entriesFor(host: string, port: number) {
    return entriesFor(parseKnownHosts(await readIfPresent(trustedOnFirstUseFile(this.dataDir))), host, port);
  }

  remember(host: string, port: number, offered: OfferedHostKey): Promise<Buffer> {
    const step = this.last.then(async () => {
      const same = (await this.entriesFor(host, port)).find((entry) => entry.keyType === offered.keyType);
      if (same) return same.key;
      await mkdir(this.dataDir, { recursive: true, mode: 0o700 });
      await appendFile(
        trustedOnFirstUseFile(this.dataDir),
        knownHostsLine(host, port, offered.keyType, offered.key),
        {
          mode: 0o600,
        },
      );
      return offered.key;
    });
    this.last = step.catch(() => undefined);
    return step;
  }
}
