#!/bin/sh
# A whole Vigil cluster on this machine, for trying it out and for tests: PostgreSQL, Ceph RGW
# (S3), three gateway replicas and HAProxy, all on 127.0.0.1, all state in one folder.
#
#   scripts/cluster.sh up [--config FILE] [--replicas N]   prints one JSON line per part
#   scripts/cluster.sh down                                stops them all, removes the folder
#
# --config takes the same file as the gateway's --config: every replica serves its targets.
# The folder is $VIGIL_CLUSTER_DIR, else $TMPDIR/vigil-cluster (one cluster per folder).
# The work is done by packages/local-cluster, which starts the same fixtures the tests use;
# this script only makes sure the programs are installed and the workspace is built.
# Everything but the JSON lines goes to standard error.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
entry="$root/packages/local-cluster/dist/cluster-command.js"

if [ "${1:-}" = up ]; then
  # PostgreSQL, Ceph and HAProxy from Debian's packages, as the tests install them.
  sh "$root/scripts/install-test-deps.sh" >&2
  if [ ! -f "$entry" ] || [ ! -f "$root/apps/gateway/dist/main.js" ] || [ ! -f "$root/apps/web/dist/index.html" ]; then
    (cd "$root" && node scripts/pnpm.mjs install --frozen-lockfile && node scripts/pnpm.mjs run build) >&2
  fi
fi
exec node "$entry" "$@"
