import { constants } from 'node:fs';
import { access, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { runCommand } from '@vigil/test-processes';

/** Where Debian's postgresql-<major> packages put their programs, one folder per major version. */
const DEBIAN_POSTGRES_ROOT = '/usr/lib/postgresql';

const HOW_TO_FIX = 'Run `sh scripts/install-test-deps.sh` as root (from the repository root).';

/** The OS account the server runs as; undefined means the current one. */
export interface ServerAccount {
  uid: number;
  gid: number;
}

/** The bin folder of the newest installed major version, e.g. /usr/lib/postgresql/15/bin. */
export async function findPostgresBinDir(): Promise<string> {
  const majors = await readdir(DEBIAN_POSTGRES_ROOT).catch(() => []);
  const newestFirst = majors.filter((name) => /^\d+$/.test(name)).sort((a, b) => Number(b) - Number(a));
  for (const major of newestFirst) {
    const binDir = join(DEBIAN_POSTGRES_ROOT, major, 'bin');
    const usable = await access(join(binDir, 'initdb'), constants.X_OK).then(
      () => true,
      () => false,
    );
    if (usable) return binDir;
  }
  throw new Error(
    `@vigil/test-postgres needs PostgreSQL's programs in ${DEBIAN_POSTGRES_ROOT}/<version>/bin ` +
      `(Debian package postgresql). ${HOW_TO_FIX}`,
  );
}

/**
 * initdb and postgres refuse to run as root ("cannot be run as root"), so as root the server runs
 * as the `postgres` account that Debian's package creates; any other user runs it as themselves.
 */
export async function serverAccount(): Promise<ServerAccount | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  let entry: string;
  try {
    entry = await runCommand('getent', ['passwd', 'postgres'], { timeoutMs: 5_000 });
  } catch (error) {
    throw new Error(
      `@vigil/test-postgres runs the server as the postgres user, who is missing. ${HOW_TO_FIX}`,
      {
        cause: error,
      },
    );
  }
  const [, , uid, gid] = entry.trim().split(':');
  return { uid: Number(uid), gid: Number(gid) };
}
