import { constants } from 'node:fs';
import { access } from 'node:fs/promises';

export const SSHD_PATH = '/usr/sbin/sshd';

const HOW_TO_FIX =
  'Run `sh scripts/install-test-deps.sh` as root (from the repository root), then run the tests as root.';

/**
 * Fails early with what to do, instead of a PTY or setuid error deep inside a test: a non-root
 * sshd can neither allocate a PTY nor switch to the test user.
 */
export async function assertCanRunSshd(): Promise<void> {
  if (process.getuid?.() !== 0) {
    throw new Error(`@vigil/test-sshd starts a real OpenSSH sshd, which needs root. ${HOW_TO_FIX}`);
  }
  try {
    await access(SSHD_PATH, constants.X_OK);
  } catch {
    throw new Error(
      `@vigil/test-sshd needs OpenSSH's ${SSHD_PATH} (Debian package openssh-server). ${HOW_TO_FIX}`,
    );
  }
}
