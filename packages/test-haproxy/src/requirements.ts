import { constants } from 'node:fs';
import { access } from 'node:fs/promises';

/** Where Debian's haproxy package puts the program. */
export const HAPROXY = '/usr/sbin/haproxy';

/** Fails early with what to do, instead of a spawn ENOENT deep inside a test. */
export async function assertCanRunHaproxy(): Promise<void> {
  try {
    await access(HAPROXY, constants.X_OK);
  } catch {
    throw new Error(
      `@vigil/test-haproxy needs ${HAPROXY} (Debian package haproxy). ` +
        'Run `sh scripts/install-test-deps.sh` as root (from the repository root).',
    );
  }
}
