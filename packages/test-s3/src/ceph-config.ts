import { join } from 'node:path';

export interface CephConfigInput {
  /** The fixture's temp folder; every path Ceph writes is below it. */
  dir: string;
  fsid: string;
  monPort: number;
}

/**
 * ceph.conf for one monitor and one memstore OSD on 127.0.0.1 with no authentication: the
 * smallest cluster Debian 12's radosgw (Ceph 16, no standalone dbstore) can store objects in.
 * Every default path (/var/lib/ceph, /var/run/ceph, /var/log/ceph) is moved into `dir`, so
 * fixtures running side by side never share a file. radosgw's port is given on its command line,
 * so that it can move to another port without rewriting this file.
 */
export function cephConfig({ dir, fsid, monPort }: CephConfigInput): string {
  const lines = {
    fsid,
    // v1 only: the monmap names a v1 address, and a client trying v2 first logs a warning.
    mon_host: `v1:127.0.0.1:${monPort}`,
    mon_initial_members: 'a',
    public_network: '127.0.0.0/8',
    auth_cluster_required: 'none',
    auth_service_required: 'none',
    auth_client_required: 'none',
    // One OSD: one copy of everything, all on this host.
    osd_pool_default_size: '1',
    osd_pool_default_min_size: '1',
    mon_allow_pool_size_one: 'true',
    osd_pool_default_pg_num: '8',
    osd_crush_chooseleaf_type: '0',
    osd_objectstore: 'memstore',
    // At boot an OSD places itself in the CRUSH map with mon commands that it may send before it
    // has the monitor map: they carry a zero fsid and are refused ("wrong fsid"), and the OSD
    // exits. The fixture places it before starting it instead (s3-fixture.ts).
    osd_crush_update_on_start: 'false',
    osd_class_update_on_start: 'false',
    // A taken port should fail at once so the fixture can pick another (default: 3 tries, 5 s
    // apart). This counts tries, not retries: 0 makes every bind fail.
    ms_bind_retry_count: '1',
    run_dir: join(dir, 'run'),
    // $pid: the ceph and rados commands the fixture runs side by side are all client.admin,
    // and a second one finds the first's socket there and fails (EPERM from the monitor).
    admin_socket: join(dir, 'run', '$name.$pid.asok'),
    pid_file: join(dir, 'run', '$name.pid'),
    log_file: join(dir, 'log', '$name.log'),
    mon_cluster_log_file: join(dir, 'log', '$cluster.$channel.log'),
    crash_dir: join(dir, 'crash'),
    keyring: join(dir, 'keyring'),
    mon_data: join(dir, 'mon'),
    osd_data: join(dir, 'osd'),
    rgw_data: join(dir, 'rgw'),
  };
  const body = Object.entries(lines).map(([key, value]) => `${key} = ${value}`);
  return ['[global]', ...body, ''].join('\n');
}
