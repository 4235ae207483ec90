#!/usr/bin/env bash
# A throwaway PostgreSQL + PostGIS cluster on 127.0.0.1 for the tests and benchmarks (fsync off: its data
# is thrown away). Usage: tools/pg_cluster.sh start DIR [PORT]  → prints the postgresql:// address
#                         tools/pg_cluster.sh stop DIR
# Needs Debian's postgresql-15-postgis-3 (.ci/run installs it). As root, the cluster runs as 'postgres'.
set -euo pipefail
action=${1:?start or stop}; dir=${2:?a folder for the cluster}; port=${3:-54329}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$bin/initdb" ] || { echo "no PostgreSQL server here (apt-get install postgresql-15-postgis-3)" >&2; exit 3; }
as_owner() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
case "$action" in
  start)
    mkdir -p "$dir"; [ "$(id -u)" = 0 ] && chown postgres "$dir"
    if [ ! -f "$dir/PG_VERSION" ]; then
      as_owner "$bin/initdb" -D "$dir" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir.initdb.log" 2>&1 \
        || { cat "$dir.initdb.log" >&2; exit 1; }
    fi
    as_owner "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 \
      -o "-p $port -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 -c shared_buffers=256MB" start >/dev/null
    echo "postgresql://postgres@127.0.0.1:$port/postgres"
    ;;
  stop)
    [ -f "$dir/postmaster.pid" ] && as_owner "$bin/pg_ctl" -D "$dir" -m fast -w stop >/dev/null || true
    ;;
  *) echo "start or stop" >&2; exit 2 ;;
esac
