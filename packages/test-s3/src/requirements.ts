import { constants } from 'node:fs';
import { access } from 'node:fs/promises';

/** The Ceph programs the fixture runs, from Debian's ceph-mon, ceph-osd, radosgw and ceph-common. */
export const CEPH_PROGRAMS = [
  '/usr/bin/ceph',
  '/usr/bin/ceph-authtool',
  '/usr/bin/monmaptool',
  '/usr/bin/ceph-mon',
  '/usr/bin/ceph-osd',
  '/usr/bin/radosgw',
  '/usr/bin/radosgw-admin',
  '/usr/bin/rados',
] as const;

/** Fails early with what to do, instead of a spawn ENOENT deep inside a test. */
export async function assertCanRunCeph(): Promise<void> {
  for (const program of CEPH_PROGRAMS) {
    try {
      await access(program, constants.X_OK);
    } catch {
      throw new Error(
        `@vigil/test-s3 needs ${program} (Debian packages radosgw ceph-mon ceph-osd). ` +
          'Run `sh scripts/install-test-deps.sh` as root (from the repository root).',
      );
    }
  }
}
