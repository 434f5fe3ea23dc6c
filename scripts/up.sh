#!/usr/bin/env bash
# Brings the platform up on this machine: PostgreSQL and Redis (started if stopped), the
# `booking` database, migrations, a demo tenant, tg-sandbox (a local Telegram), the master API,
# the sales bot and the deploy worker. Ctrl-C stops everything.
#
# With real settings in .env (bot tokens, TELEGRAM_API_URL=https://api.telegram.org) the same
# command talks to the real services instead of tg-sandbox.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/services.sh >/dev/null

if [[ ! -f .env ]]; then
  echo "writing .env with a fresh DATA_KEY (keep it: it seals tenant secrets)"
  sed -e "s|^DATA_KEY=.*|DATA_KEY=$(openssl rand -base64 32)|" \
      -e "s|^TELEGRAM_API_URL=.*|TELEGRAM_API_URL=http://127.0.0.1:8081|" .env.example > .env
fi
set -a; source .env; set +a

db_name="${DATABASE_URL##*/}"; db_name="${db_name%%\?*}"
server_url="${DATABASE_URL%/*}/postgres"
psql "$server_url" -tAc "select 1 from pg_database where datname = '$db_name'" | grep -q 1 \
  || psql "$server_url" -qc "create database $db_name"

cargo build --workspace --bins --locked
bin=target/debug

$bin/master-bot migrate
if ! $bin/master-bot tenant list | grep -q "Demo Salon"; then
  $bin/master-bot tenant create --name "Demo Salon" --time-zone Europe/Moscow --locale ru
fi

pids=()
stop() {
  echo; echo "stopping..."
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  wait
}
trap stop INT TERM

if [[ "$TELEGRAM_API_URL" == http://127.0.0.1:8081* ]]; then
  # The sandbox answers only registered tokens, as Telegram does.
  HTTP_ADDR=127.0.0.1:8081 SANDBOX_BOTS="sales_demo_bot=${SALES_BOT_TOKEN:-100001:sales-demo}" \
    $bin/tg-sandbox & pids+=($!)
fi
HTTP_ADDR=127.0.0.1:8090 $bin/master-bot serve & pids+=($!)
HTTP_ADDR=127.0.0.1:8091 BOT_TOKEN="${SALES_BOT_TOKEN:-100001:sales-demo}" $bin/sales-bot & pids+=($!)
HTTP_ADDR=127.0.0.1:8092 $bin/deploy-worker & pids+=($!)

sleep 1
cat <<INFO

The platform is up:
  web chat (tg-sandbox):  http://127.0.0.1:8081/
  master API:             http://127.0.0.1:8090   (health: /health, readiness: /ready, metrics: /metrics)
  sales bot:              http://127.0.0.1:8091/health
  deploy worker:          http://127.0.0.1:8092/health
  tenants:                $bin/master-bot tenant list
Ctrl-C stops everything.
INFO
wait
