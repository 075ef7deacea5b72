import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCommand } from '@vigil/test-processes';

export interface ClientKeys {
  privateKey: string;
  encryptedPrivateKey: string;
  passphrase: string;
  /** Holds both public keys; sshd's `AuthorizedKeysFile`. */
  authorizedKeysPath: string;
}

/** One plain and one passphrase-protected ed25519 key, both authorized for the test user. */
export async function generateClientKeys(dir: string): Promise<ClientKeys> {
  const passphrase = randomBytes(12).toString('base64url');
  const [plain, encrypted] = await Promise.all([
    generateKey(join(dir, 'client_ed25519'), ''),
    generateKey(join(dir, 'client_ed25519_encrypted'), passphrase),
  ]);
  const authorizedKeysPath = join(dir, 'authorized_keys');
  // sshd opens this file as the test user, so it must be world-readable (StrictModes is off).
  await writeFile(authorizedKeysPath, plain.publicKey + encrypted.publicKey, { mode: 0o644 });
  return {
    privateKey: plain.privateKey,
    encryptedPrivateKey: encrypted.privateKey,
    passphrase,
    authorizedKeysPath,
  };
}

async function generateKey(path: string, passphrase: string) {
  await runCommand('ssh-keygen', [
    '-q',
    '-t',
    'ed25519',
    '-N',
    passphrase,
    '-C',
    'vigil-test-client',
    '-f',
    path,
  ]);
  const [privateKey, publicKey] = await Promise.all([
    readFile(path, 'utf8'),
    readFile(`${path}.pub`, 'utf8'),
  ]);
  return { privateKey, publicKey };
}
