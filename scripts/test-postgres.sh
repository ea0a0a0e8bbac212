#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster on 127.0.0.1 for the test suite and prints its
# admin URL. Installs Debian's postgresql when it is missing (needs root and apt). As
# root the cluster runs as the `postgres` user, because initdb refuses to run as root.
# Idempotent: a cluster already running in $TORCHQUIZ_PG_DIR is reused.
set -euo pipefail

dir=${TORCHQUIZ_PG_DIR:-/tmp/torchquiz-test-pg}
port=${TORCHQUIZ_PG_PORT:-54329}
url="postgresql+psycopg://postgres@127.0.0.1:${port}/postgres"

find_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
bin=$(find_bin)
if [ -z "$bin" ]; then
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "the tests need PostgreSQL's server binaries (Debian: apt-get install postgresql)" >&2
    exit 1
  fi
  echo "installing postgresql with apt-get" >&2
  apt-get -o DPkg::Lock::Timeout=120 update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=120 install -y -q postgresql >/dev/null
  bin=$(find_bin)
fi

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

if [ -f "$dir/data/postmaster.pid" ] && as_owner "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
  echo "$url"
  exit 0
fi
rm -rf "$dir"
mkdir -p "$dir"
[ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
as_owner "$bin/initdb" -D "$dir/data" -A trust -U postgres --no-sync >"$dir/initdb.log" 2>&1 \
  || { cat "$dir/initdb.log" >&2; exit 1; }
# Loopback only, a socket in our own folder, and no durability: it is thrown away.
as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
  -o "-h 127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
  start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
echo "$url"
