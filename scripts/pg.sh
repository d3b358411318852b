#!/usr/bin/env bash
# A private PostgreSQL cluster on loopback for tests and development (Debian's postgresql package).
#   scripts/pg.sh start   -> prints nothing on success; the server listens on 127.0.0.1:$PGPORT
#   scripts/pg.sh stop
#   scripts/pg.sh url [DB] -> prints postgresql://postgres@127.0.0.1:$PGPORT/DB (creating DB if missing)
set -euo pipefail
PGPORT="${PGPORT:-54329}"
PGDIR="${PGDIR:-/tmp/custodian-pg-$PGPORT}"
BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
if [ -z "$BIN" ]; then echo "PostgreSQL server binaries not found: apt-get install -y postgresql" >&2; exit 1; fi
as_pg() { if [ "$(id -u)" = "0" ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

case "${1:-}" in
  start)
    if [ ! -f "$PGDIR/PG_VERSION" ]; then
      mkdir -p "$PGDIR"
      [ "$(id -u)" = "0" ] && chown postgres:postgres "$PGDIR"
      as_pg "$BIN/initdb" -D "$PGDIR" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
    fi
    if ! as_pg "$BIN/pg_ctl" -D "$PGDIR" status >/dev/null 2>&1; then
      opts="-p $PGPORT -k $PGDIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 -c shared_buffers=512MB"
      if ! as_pg "$BIN/pg_ctl" -D "$PGDIR" -l "$PGDIR/server.log" -w -t 60 -o "$opts" start >/dev/null; then
        # A test cluster left broken by a killed session (fsync=off) is disposable: make a new one.
        echo "pg.sh: the test cluster in $PGDIR did not start; recreating it" >&2
        rm -rf "$PGDIR" && mkdir -p "$PGDIR"
        [ "$(id -u)" = "0" ] && chown postgres:postgres "$PGDIR"
        as_pg "$BIN/initdb" -D "$PGDIR" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
        as_pg "$BIN/pg_ctl" -D "$PGDIR" -l "$PGDIR/server.log" -w -t 60 -o "$opts" start >/dev/null
      fi
    fi
    ;;
  stop)
    as_pg "$BIN/pg_ctl" -D "$PGDIR" -m fast stop >/dev/null 2>&1 || true
    ;;
  url)
    DB="${2:-custodian}"
    if ! as_pg "$BIN/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='$DB'" postgres | grep -q 1; then
      as_pg "$BIN/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -qc "CREATE DATABASE \"$DB\"" postgres >/dev/null
    fi
    echo "postgresql://postgres@127.0.0.1:$PGPORT/$DB"
    ;;
  drop)
    DB="${2:?database name}"
    as_pg "$BIN/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -qc "DROP DATABASE IF EXISTS \"$DB\" WITH (FORCE)" postgres >/dev/null
    ;;
  *) echo "usage: scripts/pg.sh start|stop|url [DB]|drop DB" >&2; exit 2 ;;
esac
