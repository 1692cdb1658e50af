#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for tests and benchmarks: initdb in a folder of its own, loopback only,
# trust authentication for the user sipas, fsync off (nothing in it outlives the run).
#   scripts/pg/cluster.sh start DIR [PORT]   starts it and prints its URL (postgres://sipas@127.0.0.1:PORT/sipas)
#   scripts/pg/cluster.sh stop DIR           stops it and removes DIR
# Needs Debian's postgresql (scripts/install-deps.sh --test). As root, the server runs as the user postgres.
set -euo pipefail
command=${1:?start or stop}
dir=${2:?a folder for the cluster}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$bin/initdb" ] || { echo "PostgreSQL's server is not installed (apt-get install postgresql; scripts/install-deps.sh --test does it)" >&2; exit 1; }
as() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
case "$command" in
  start)
    # The server outlives this script: it must not hold the caller's descriptors (a pipe or
    # socket a caller waits on to see this script end).
    for fd in /proc/$$/fd/*; do
      n=${fd##*/}
      [ "$n" -gt 2 ] && eval "exec $n>&-" 2>/dev/null || true
    done
    port=${3:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
    mkdir -p "$dir"
    [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
    as "$bin/initdb" -D "$dir/data" -U sipas --auth=trust -E UTF8 --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    as "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >/dev/null \
      || { cat "$dir/server.log" >&2; exit 1; }
    psql -q "postgresql://sipas@127.0.0.1:$port/postgres" -c 'CREATE DATABASE sipas' >/dev/null
    echo "postgres://sipas@127.0.0.1:$port/sipas"
    ;;
  stop)
    [ -d "$dir/data" ] && as "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    ;;
  *) echo "unknown command $command (start or stop)" >&2; exit 2 ;;
esac
