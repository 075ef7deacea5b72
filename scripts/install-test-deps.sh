#!/bin/sh
# Installs the real programs Vigil's tests run against: OpenSSH's sshd (gateway integration tests,
# e2e, benchmarks), PostgreSQL (shared cluster state, packages/test-postgres), Ceph's radosgw
# with one monitor and one OSD (the S3 fixture, packages/test-s3), HAProxy (the balancer in
# front of gateway replicas, packages/test-haproxy and scripts/cluster.sh) and Chromium
# (Playwright e2e).
# Test scripts call it before every run, so it is silent and instant when all are already there.
# Debian and derivatives (apt-get); on Ubuntu the `chromium` package is a snap wrapper, so prefer
# a Debian image.
set -eu

missing=''
[ -x /usr/sbin/sshd ] || missing="$missing openssh-server"
# Debian puts each major version's programs in /usr/lib/postgresql/<major>/bin; any one will do.
has_initdb=''
for initdb in /usr/lib/postgresql/*/bin/initdb; do
  [ -x "$initdb" ] && has_initdb=yes
done
[ -n "$has_initdb" ] || missing="$missing postgresql"
[ -x /usr/bin/chromium ] || missing="$missing chromium"
[ -x /usr/sbin/haproxy ] || missing="$missing haproxy"
# Ceph goes without recommends: they would pull in ceph-mgr, ceph-mds and their Python stack.
ceph=''
[ -x /usr/bin/radosgw ] || ceph="$ceph radosgw"
[ -x /usr/bin/ceph-mon ] || ceph="$ceph ceph-mon"
[ -x /usr/bin/ceph-osd ] || ceph="$ceph ceph-osd"
[ -x /usr/bin/rados ] || ceph="$ceph ceph-common"
[ -n "$missing$ceph" ] || exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "install-test-deps: missing packages:$missing$ceph" >&2
  echo "install-test-deps: run as root to install them: sudo sh scripts/install-test-deps.sh" >&2
  echo "install-test-deps: (the sshd fixture also needs the tests themselves to run as root)" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-test-deps: no apt-get here; install these by hand:$missing$ceph" >&2
  exit 1
fi

echo "install-test-deps: installing$missing$ceph"
export DEBIAN_FRONTEND=noninteractive
apt-get update
# $missing and $ceph are deliberately unquoted: one word per package.
# With recommends: Chromium needs its fonts to measure the terminal grid.
# shellcheck disable=SC2086
[ -z "$missing" ] || apt-get install -y $missing
# shellcheck disable=SC2086
[ -z "$ceph" ] || apt-get install -y --no-install-recommends $ceph
