import ssh2, { type ParsedKey } from 'ssh2';
import { SshFailure } from './ssh-failure.js';

/** A private key ready for publickey authentication (outside the ssh folder, ssh2's type by name). */
export type PrivateKey = ParsedKey;

/**
 * Reads OpenSSH, PEM or PuTTY private key text; throws an SshFailure (KEY_INVALID or
 * KEY_PASSPHRASE) that says what is wrong with it.
 */
export function parsePrivateKey(text: string, passphrase?: string): ParsedKey {
  // ssh2 is CommonJS: under Node's ESM loader only its default export is visible.
  const parsed = ssh2.utils.parseKey(text, passphrase);
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (key instanceof Error || key === undefined) {
    const reason = key?.message ?? 'no key found';
    throw new SshFailure(/passphrase/i.test(reason) ? 'KEY_PASSPHRASE' : 'KEY_INVALID', { reason });
  }
  if (!key.isPrivateKey()) throw new SshFailure('KEY_INVALID', { reason: 'that is a public key' });
  return key;
}
