import { readFile, stat } from 'node:fs/promises';
import { describeError } from '@vigil/protocol';
import type { TargetConfig } from '../config/config-schema.js';
import { ConfigError } from '../config/load-config.js';
import { type PrivateKey, parsePrivateKey } from '../ssh/private-key.js';
import { SshFailure } from '../ssh/ssh-failure.js';

type Credentials = NonNullable<TargetConfig['credentials']>;

async function loadKey({ privateKeyFile, passphraseFile }: Credentials): Promise<PrivateKey> {
  const mode = (await stat(privateKeyFile)).mode & 0o777;
  // ssh(1) refuses such a key for the same reason: anyone else on the machine could copy it.
  if ((mode & 0o077) !== 0) {
    const octal = mode.toString(8).padStart(4, '0');
    throw new Error(
      `permissions ${octal} for ${privateKeyFile} are too open; the key must be readable by its owner only (chmod 600 ${privateKeyFile})`,
    );
  }
  const text = await readFile(privateKeyFile, 'utf8');
  const passphrase =
    passphraseFile === undefined ? undefined : (await readFile(passphraseFile, 'utf8')).replace(/\r?\n$/, '');
  try {
    return parsePrivateKey(text, passphrase);
  } catch (error) {
    if (error instanceof SshFailure) throw new Error(describeError(error.code, error.details));
    throw error;
  }
}

/**
 * Reads the keys targets hold, at start-up: a missing, unprotected or unreadable key stops the
 * gateway with words, rather than failing a person's session later.
 * @returns the parsed key of each target that has credentials, by target name
 */
export async function loadTargetKeys(targets: readonly TargetConfig[]): Promise<Map<string, PrivateKey>> {
  const keys = new Map<string, PrivateKey>();
  const problems: string[] = [];
  await Promise.all(
    targets.map(async (target, index) => {
      if (target.credentials === undefined) return;
      try {
        keys.set(target.name, await loadKey(target.credentials));
      } catch (error) {
        problems.push(`targets[${index}].credentials (${target.name}): ${(error as Error).message}`);
      }
    }),
  );
  if (problems.length > 0) throw new ConfigError(problems.sort());
  return keys;
}
