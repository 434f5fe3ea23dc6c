#!/bin/sh
# The entrypoint of booking-local/postgres:15 (scripts/image-bases.sh): Debian's PostgreSQL
# started the way the official image starts it, from the same variables. On an empty data
# directory: a cluster whose superuser is POSTGRES_USER with POSTGRES_PASSWORD (SCRAM over the
# network, trust on the container's own socket), and the database POSTGRES_DB.
set -eu
: "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD is required}"
user=${POSTGRES_USER:-postgres}
db=${POSTGRES_DB:-$user}
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  pwfile=$(mktemp)
  printf '%s' "$POSTGRES_PASSWORD" >"$pwfile"
  initdb -D "$PGDATA" -U "$user" --pwfile="$pwfile" -E UTF8 --locale=C.UTF-8 \
    --auth-local=trust --auth-host=scram-sha-256 >/dev/null
  rm -f "$pwfile"
  echo "host all all all scram-sha-256" >>"$PGDATA/pg_hba.conf"
  if [ "$db" != postgres ]; then
    # Single-user mode: nothing listens while the database is made.
    echo "CREATE DATABASE \"$db\"" |
      postgres --single -D "$PGDATA" -c unix_socket_directories="$PGHOST" postgres >/dev/null
  fi
  echo "postgres-entrypoint: made the cluster (superuser $user, database $db)"
fi
exec postgres -D "$PGDATA" -c listen_addresses='*' -c unix_socket_directories="$PGHOST" "$@"
