#!/bin/sh
# Installs the real programs Vigil's tests run against: OpenSSH's sshd (gateway integration tests,
# e2e, benchmarks), PostgreSQL (shared cluster state, @vigil/test-postgres) and Chromium (Playwright
# e2e). Test scripts call it before every run, so it is silent and instant when all are there. Debian and derivatives (apt-get); on Ubuntu the
# `chromium` package is a snap wrapper, so prefer a Debian image.
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
[ -n "$missing" ] || exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "install-test-deps: missing packages:$missing" >&2
  echo "install-test-deps: run as root to install them: sudo sh scripts/install-test-deps.sh" >&2
  echo "install-test-deps: (the sshd fixture also needs the tests themselves to run as root)" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-test-deps: no apt-get here; install these by hand:$missing" >&2
  exit 1
fi

echo "install-test-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
# $missing is deliberately unquoted: one word per package.
# shellcheck disable=SC2086
# With recommends: Chromium needs its fonts to measure the terminal grid.
apt-get update && apt-get install -y $missing
