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

pids=()
stop() {
  trap - INT TERM
  echo; echo "stopping..."
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  wait
  # The tenant bots this command's worker started are this demo's too.
  if ${engine:-false}; then
    cli=$(command -v podman || command -v docker || true)
    [[ -n "$cli" ]] && $cli ps -aq --filter label=platform=booking-local | xargs -r $cli rm -f >/dev/null
  fi
  exit 0
}
trap stop INT TERM

# Waits until a service answers its /health (each binary serves one).
wait_healthy() {
  for _ in $(seq 1 100); do
    curl -fsS "$1/health" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "$2 did not come up; its log is above" >&2
  stop
}

sales_token="${SALES_BOT_TOKEN:-100001:sales-demo}"
demo_token="${DEMO_BOT_TOKEN:-}"
sandbox=false
if [[ "$TELEGRAM_API_URL" == http://127.0.0.1:8081* ]]; then
  sandbox=true
  demo_token="${demo_token:-200001:demo-salon}"
  # The sandbox answers only registered tokens, as Telegram does.
  HTTP_ADDR=127.0.0.1:8081 SANDBOX_BOTS="sales_demo_bot=$sales_token,demo_salon_bot=$demo_token" \
    $bin/tg-sandbox & pids+=($!)
  wait_healthy http://127.0.0.1:8081 tg-sandbox
  # Three people to try the roles with in the web chat (the sandbox numbers them the same way
  # on every start, so the links below stay valid): the demo's owner, a customer, a buyer.
  sandbox_user() {
    curl -fsS -H 'Content-Type: application/json' -d "{\"first_name\":\"$1\",\"language_code\":\"ru\"}" \
      http://127.0.0.1:8081/sandbox/users | sed -n 's/.*"id":\([0-9]*\).*/\1/p'
  }
  owner_user=$(sandbox_user "Владелец"); customer_user=$(sandbox_user "Клиент")
  buyer_user=$(sandbox_user "Покупатель")
fi

# Tenant bots run as containers when a Docker-API engine answers (podman's socket is found by
# itself); no registry is needed: the tenant image is made from this build's binaries.
if [[ -z "${DOCKER_HOST:-}" && -S /run/podman/podman.sock ]]; then
  export DOCKER_HOST=unix:///run/podman/podman.sock
fi
engine=false
if cargo run -q --locked -p deploy-worker --example import_tenant_image -- \
     "$bin" localhost/booking-bot:latest; then
  engine=true
else
  echo "no container engine answers at ${DOCKER_HOST:-unix:///var/run/docker.sock}:" \
       "the deploy worker is not started and the demo bot runs as a plain process"
fi

# The demo tenant: created once, seeded while its catalogue is empty. Its bot's environment
# (the tenant's own database role) goes to a file only this user can read.
# Against the real Telegram it needs a real bot of yours: DEMO_BOT_TOKEN in .env.
# The owner (DEMO_OWNER_ID, else the sandbox's "Владелец") is set on every run, so it can be
# changed later; `demo` also puts two plans on sale while the platform has none, for the sales
# bot's "Тарифы" and its free trial.
demo_env=.demo-tenant.env
demo_id=""
demo_owner="${DEMO_OWNER_ID:-${owner_user:-}}"
demo_url="${DEMO_BOT_URL:-}"
if [[ -n "$demo_token" ]]; then
  deploy=(); $engine && deploy=(--deploy)
  owner=(); [[ -n "$demo_owner" ]] && owner=(--owner "$demo_owner")
  demo_id=$(DEMO_BOT_TOKEN="$demo_token" \
    $bin/master-bot demo --env-file "$demo_env" "${deploy[@]}" "${owner[@]}")
  # The sales bot's "demo" button: the web chat with the demo bot here, t.me otherwise.
  demo_bot=$(curl -fsS "$TELEGRAM_API_URL/bot$demo_token/getMe" 2>/dev/null \
    | sed -n 's/.*"username":"\([^"]*\)".*/\1/p' || true)
  if [[ -z "$demo_url" && -n "$demo_bot" ]]; then
    if $sandbox; then
      demo_url="http://127.0.0.1:8081/?bot=$demo_bot&user=$customer_user"
    else
      demo_url="https://t.me/$demo_bot"
    fi
  fi
fi
operator_key=$($bin/master-bot apikey create --operator --name "up.sh $(date -u +%FT%TZ)" 2>/dev/null)

# The bot's username as getMe gives it (empty when the Bot API does not know the token).
bot_username() {
  curl -fsS "$TELEGRAM_API_URL/bot$1/getMe" 2>/dev/null | sed -n 's/.*"username":"\([^"]*\)".*/\1/p' || true
}
sales_bot=$(bot_username "$sales_token")
HTTP_ADDR=127.0.0.1:8090 SALES_BOT_USERNAME="${SALES_BOT_USERNAME:-$sales_bot}" \
  $bin/master-bot serve & pids+=($!)
HTTP_ADDR=127.0.0.1:8091 BOT_TOKEN="$sales_token" DEMO_BOT_URL="$demo_url" $bin/sales-bot & pids+=($!)
services=(8090:master-bot 8091:sales-bot)
if $engine; then
  # The host's network: here the bots reach PostgreSQL and Redis on this machine's loopback.
  HTTP_ADDR=127.0.0.1:8092 TENANT_TELEGRAM_API_URL="$TELEGRAM_API_URL" TENANT_NETWORK=host \
    TENANT_PLATFORM_LABEL=booking-local $bin/deploy-worker & pids+=($!)
  services+=(8092:deploy-worker)
fi
# Without an engine the demo tenant's bot runs as a plain process, with exactly the environment
# the deploy worker gives a tenant's container.
if [[ -n "$demo_id" ]] && ! $engine; then
  (set -a; source "$demo_env"; set +a; HTTP_ADDR=127.0.0.1:8093 exec $bin/booking-bot) & pids+=($!)
  services+=(8093:booking-bot)
fi
for s in "${services[@]}"; do
  wait_healthy "http://127.0.0.1:${s%%:*}" "${s#*:}"
done

cat <<INFO

The platform is up:
  web chat (tg-sandbox):  $($sandbox && echo "http://127.0.0.1:8081/   (bots: @demo_salon_bot, @sales_demo_bot)" || echo "not started: TELEGRAM_API_URL=$TELEGRAM_API_URL")
  master API:             http://127.0.0.1:8090/api/v1   (OpenAPI: /api/v1/openapi.json)
  operator API key:       $operator_key
                          curl -H "Authorization: Bearer $operator_key" http://127.0.0.1:8090/api/v1/tenants
  demo tenant:            ${demo_id:-none (set DEMO_BOT_TOKEN)} (Demo Salon, @demo_salon_bot: $($engine && echo "a container the deploy worker runs" || echo "a plain process, health at http://127.0.0.1:8093/health"))
  sales bot:              http://127.0.0.1:8091/health
  deploy worker:          $($engine && echo "http://127.0.0.1:8092/health (engine: $DOCKER_HOST)" || echo "not started (no container engine)")
  tenants:                $bin/master-bot tenant list
INFO
if $sandbox; then
  web=http://127.0.0.1:8081
  cat <<ROLES

Try each role in the web chat:
  customer:  $web/?bot=demo_salon_bot&user=$customer_user  (/start, book a visit)
  owner:     $web/?bot=demo_salon_bot&user=$demo_owner  (/admin: the panel)
  buyer:     $web/?bot=sales_demo_bot&user=$buyer_user  (/start, free trial; "New bot…" makes the token)
  operator:  the API key above, e.g. curl -H "Authorization: Bearer $operator_key" http://127.0.0.1:8090/api/v1/tenants
ROLES
fi
echo "Ctrl-C stops everything."
wait
