#!/usr/bin/env bash
# What a button press costs: runs crates/booking-bot/examples/bench_bot at 100, 200 and 400
# presses a second against a PostgreSQL 15 cluster and a Redis of the benchmark's own (port
# 5433 with pg_stat_statements, port 6391), so the statements, the server CPU and the Redis
# commands it prints are the bot's alone. Starts both, and stops them when it ends; the
# cluster on 5432 that tests use is never touched.
#
#   cargo build --profile perf -p booking-bot --bins --examples
#   scripts/bench-bot.sh                 # BENCH_RATES="100 200 400" BENCH_SECS=20 BENCH_USERS=200
#
# BENCH_STATEMENTS=1 also lists every statement with its count per press.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
bench="${BENCH_BINARY:-$root/target/perf/examples/bench_bot}"
[[ -x "$bench" ]] || { echo "build it first: cargo build --profile perf -p booking-bot --bins --examples" >&2; exit 1; }

version=15 cluster=bench pg_port=5433 redis_port=6391
data="/var/lib/postgresql/$version/$cluster"

if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -qx "$version $cluster"; then
  pg_createcluster "$version" "$cluster" -p "$pg_port" -- --auth=trust >/dev/null
fi
conf="/etc/postgresql/$version/$cluster/conf.d/90-bench.conf"
cat >"$conf" <<EOF
listen_addresses = '127.0.0.1'
port = $pg_port
# The same settings as the test cluster, plus statement counting.
autovacuum = off
fsync = on
shared_preload_libraries = 'pg_stat_statements'
pg_stat_statements.max = 5000
pg_stat_statements.track = top
EOF
pg_ctlcluster --skip-systemctl-redirect "$version" "$cluster" start
redis-server --daemonize yes --bind 127.0.0.1 --port "$redis_port" --save "" --appendonly no \
  --pidfile "/tmp/bench-redis-$redis_port.pid" --logfile "/tmp/bench-redis-$redis_port.log"
stop() {
  redis-cli -p "$redis_port" shutdown nosave >/dev/null 2>&1 || true
  pg_ctlcluster --skip-systemctl-redirect "$version" "$cluster" stop || true
}
trap stop EXIT
for _ in $(seq 1 50); do pg_isready -h 127.0.0.1 -p "$pg_port" -q && break; sleep 0.2; done
for _ in $(seq 1 50); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.2; done

echo "commit $(git -C "$root" rev-parse --short HEAD), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
for rate in ${BENCH_RATES:-100 200 400}; do
  echo "== $rate presses/s"
  TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$pg_port/postgres" \
  BENCH_REDIS_URL="redis://127.0.0.1:$redis_port" \
  BENCH_PG_DATA="$data" \
  BENCH_RATE="$rate" BENCH_USERS="${BENCH_USERS:-200}" BENCH_SECS="${BENCH_SECS:-20}" \
    "$bench"
done
