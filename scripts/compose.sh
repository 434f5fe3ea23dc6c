#!/usr/bin/env bash
# Proves the shipped docker-compose.yml on this machine, which reaches no image registry:
#   1. a Docker engine of its own in a network namespace of its own (bridges and iptables
#      rules stay in there; the host's network is not touched), started once and reused;
#   2. images made here: PostgreSQL and Redis stand-ins from Debian's packages, and the
#      platform image, the Dockerfile's runtime stage holding this build's binaries (or,
#      with COMPOSE_IMAGE=<tag>, an image scripts/images.sh built on the Swarm engine);
#   3. `docker-compose up` of an unchanged copy of docker-compose.yml with a generated .env,
#      every service's health check passing;
#   4. the whole-platform journey against that stack (tests/it/compose.rs): a buyer in the
#      sales bot, YooKassa's payment and notification, provisioning, the deploy worker in the
#      stack starting the tenant's bot as a container of the same image, a customer booking
#      through that bot and the owner told. Telegram is tg-sandbox, YooKassa the fake.
# Prints a PASS line per step; ends with `docker-compose down -v` (COMPOSE_KEEP=1 keeps the
# stack up: see the end of its output for how to reach it).
#
#   scripts/compose.sh                       # debug binaries (cargo build --workspace --bins)
#   COMPOSE_PROFILE=release scripts/compose.sh
#   COMPOSE_IMAGE=booking-platform:local scripts/compose.sh   # after scripts/images.sh
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)
NS=${COMPOSE_NETNS:-booking-compose}
DIR=${COMPOSE_ENGINE_DIR:-/tmp/dkr-compose}
RUN=${COMPOSE_RUN_DIR:-/tmp/booking-compose}
PROFILE=${COMPOSE_PROFILE:-debug}
# The test machine as the containers reach it: an address of the namespace's own, so the
# sandbox and the fake YooKassa listen where the stack can dial them.
HOST_IP=10.77.0.1
# Bridges of this engine: the default one, and the pool compose's network is taken from.
BIP=172.30.0.1/24
POOL=172.31.0.0/16
PROJECT=booking
IMAGE=booking-platform:compose
SOCK=$DIR/docker.sock
export DOCKER_HOST=unix://$SOCK
export DOCKER_BUILDKIT=0 # Docker 20.10's daemon: the classic builder
pass() { echo "PASS compose: $*"; }
fail() { echo "FAIL compose: $*" >&2; exit 1; }
in_ns() { nsenter --net="/var/run/netns/$NS" "$@"; }

missing=()
command -v dockerd >/dev/null || missing+=(docker.io)
command -v docker-compose >/dev/null || missing+=(docker-compose)
command -v iptables >/dev/null || missing+=(iptables)
command -v mmdebstrap >/dev/null || missing+=(mmdebstrap)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    --no-install-recommends "${missing[@]}" >/dev/null
fi
for bin in booking-bot master-bot sales-bot deploy-worker healthcheck tg-sandbox; do
  [ -x "target/$PROFILE/$bin" ] ||
    fail "target/$PROFILE/$bin is missing: cargo build --workspace --bins first"
done

# 1. The namespace and its engine.
ip netns list | grep -q "^$NS\b" || ip netns add "$NS"
in_ns ip link set lo up
in_ns ip addr show dev lo | grep -q " $HOST_IP/" || in_ns ip addr add "$HOST_IP/32" dev lo
ping() { curl -sf -m 5 --unix-socket "$SOCK" http://d/_ping >/dev/null 2>&1; }
if ! ping; then
  mkdir -p "$DIR"
  rm -rf "$SOCK" "$DIR/docker.pid" "$DIR/exec"
  driver=$(cat "$DIR/driver" 2>/dev/null || cat /tmp/dkr/driver 2>/dev/null || echo overlay2)
  # nsenter, not `ip netns exec`: that one also remounts /sys, hiding the cgroups dockerd needs.
  (cd / && exec setsid nsenter --net="/var/run/netns/$NS" dockerd --data-root "$DIR/data" \
    --exec-root "$DIR/exec" --pidfile "$DIR/docker.pid" -H "unix://$SOCK" --bip "$BIP" \
    --default-address-pool "base=$POOL,size=24" --storage-driver="$driver" \
    --no-new-privileges >"$DIR/dockerd.log" 2>&1 </dev/null) &
  for _ in $(seq 1 150); do ping && break; sleep 0.2; done
  ping || { tail -20 "$DIR/dockerd.log" >&2; fail "dockerd did not start (log: $DIR/dockerd.log)"; }
  echo "$driver" >"$DIR/driver"
fi
pass "engine $(docker version -f '{{.Server.Version}}') in network namespace $NS"

# 2. Images.
scripts/image-bases.sh runtime postgres redis
if [ -n "${COMPOSE_IMAGE:-}" ]; then
  # Built by scripts/images.sh on the Swarm engine, which reaches crates.io; this one cannot.
  DOCKER_HOST=${SWARM_DOCKER_HOST:-unix:///tmp/dkr/docker.sock} docker save "$COMPOSE_IMAGE" |
    docker load -q >/dev/null
  docker tag "$COMPOSE_IMAGE" "$IMAGE"
  made="$COMPOSE_IMAGE, the Dockerfile's release build"
else
  # The Dockerfile's own runtime stage, and this build's binaries put into it (debug symbols
  # stripped: they are most of a debug binary's size).
  ctx=$DIR/platform-context
  rm -rf "$ctx" && mkdir -p "$ctx/bin"
  for bin in booking-bot master-bot sales-bot deploy-worker healthcheck; do
    strip --strip-debug -o "$ctx/bin/$bin" "target/$PROFILE/$bin"
  done
  docker build -q --target runtime --build-arg RUNTIME_BASE=platform-runtime-base:bookworm \
    -t booking-platform-runtime:compose . >/dev/null
  printf 'FROM booking-platform-runtime:compose\nCOPY bin/ /usr/local/bin/\n' |
    docker build -q -t "$IMAGE" -f - "$ctx" >/dev/null
  docker image prune -f >/dev/null
  made="the Dockerfile's runtime stage and this build's $PROFILE binaries"
fi
size=$(docker image inspect -f '{{.Size}}' "$IMAGE")
pass "images: $IMAGE ($((size / 1048576)) MiB: $made), booking-local/postgres:15, booking-local/redis:7"

# 3. The stack, from an unchanged copy of docker-compose.yml and a .env made for this run.
secret() { head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n'; }
teardown() {
  [ -f "$RUN/docker-compose.yml" ] || return 0
  local c=(docker-compose -p "$PROJECT" --project-directory "$RUN" -f "$RUN/docker-compose.yml")
  # The tenant bots are the worker's containers, not compose's, and hold on to its network:
  # the worker stops first (or it would start them again), then they go, then the stack.
  "${c[@]}" stop deploy-worker >/dev/null 2>&1 || true
  docker ps -aq --filter label=platform=compose | xargs -r docker rm -f >/dev/null
  "${c[@]}" down -v --remove-orphans >/dev/null 2>&1 ||
    fail "docker-compose down -v (see: ${c[*]} down)"
}
mkdir -p "$RUN" && chmod 700 "$RUN"
teardown # what an interrupted run left
[ -f "$RUN/sandbox.pid" ] && kill "$(cat "$RUN/sandbox.pid")" 2>/dev/null || true
cp docker-compose.yml "$RUN/docker-compose.yml"
sales_token="7$(date +%s | tail -c 9):compose-sales-$(secret)"
pg_password=$(secret)
shop_secret=$(secret)
(
  umask 077
  cat >"$RUN/.env" <<ENV
POSTGRES_PASSWORD=$pg_password
REDIS_PASSWORD=$(secret)
SALES_REDIS_PASSWORD=$(secret)
SALES_BOT_TOKEN=$sales_token
DATA_KEY=$(head -c 32 /dev/urandom | base64)
PLATFORM_IMAGE=$IMAGE
POSTGRES_IMAGE=booking-local/postgres:15
REDIS_IMAGE=booking-local/redis:7
DOCKER_SOCKET=$SOCK
DOCKER_GID=$(stat -c %g "$SOCK")
TENANT_IMAGE=${IMAGE%:*}
TENANT_IMAGE_TAG=${IMAGE#*:}
TENANT_PLATFORM_LABEL=compose
TENANT_HEALTH_GRACE_SECS=2
RECONCILE_INTERVAL_SECS=5
TELEGRAM_API_URL=http://$HOST_IP:8081
TENANT_TELEGRAM_API_URL=http://$HOST_IP:8081
YOOKASSA_API_URL=http://$HOST_IP:8082/v3
YOOKASSA_SHOP_ID=506751
YOOKASSA_SECRET_KEY=$shop_secret
YOOKASSA_TEST_SHOP=true
# The notification reaches the sales bot through compose's published port: from this
# engine's bridge, whose addresses come from the pool.
YOOKASSA_ALLOWED_IPS=$POOL
PAYMENTS_RECONCILE_SECS=2
RUST_LOG=info
ENV
)
# Telegram: tg-sandbox on the namespace's own address, the sales bot's token registered.
sandbox=$PWD/target/$PROFILE/tg-sandbox
(cd / && exec setsid nsenter --net="/var/run/netns/$NS" env HTTP_ADDR="$HOST_IP:8081" \
  SANDBOX_BOTS="compose_sales_bot=$sales_token" "$sandbox" \
  >"$RUN/sandbox.log" 2>&1 </dev/null) &
echo $! >"$RUN/sandbox.pid"
stop_sandbox() { kill "$(cat "$RUN/sandbox.pid")" 2>/dev/null || true; }
if [ "${COMPOSE_KEEP:-0}" != 1 ]; then trap 'stop_sandbox; teardown' EXIT; fi
for _ in $(seq 1 50); do in_ns curl -sf -m 2 "http://$HOST_IP:8081/health" >/dev/null && break; sleep 0.2; done

compose() { docker-compose -p "$PROJECT" --project-directory "$RUN" -f "$RUN/docker-compose.yml" "$@"; }
up_started=$(date +%s)
compose up -d --no-build >"$RUN/up.log" 2>&1 || {
  cat "$RUN/up.log" >&2
  compose logs --tail=20 >&2
  fail "docker-compose up"
}
# Health: the platform's own HEALTHCHECK runs every 30 s, so each of master, then sales and
# the worker (which wait for the master's), takes about half a minute after it starts.
services="postgres redis master sales deploy-worker"
for _ in $(seq 1 120); do
  unhealthy=""
  for s in $services; do
    id=$(compose ps -q "$s")
    state=$([ -n "$id" ] && docker inspect -f '{{.State.Health.Status}}' "$id" 2>/dev/null || echo missing)
    [ "$state" = healthy ] || unhealthy="$unhealthy $s=$state"
  done
  [ -z "$unhealthy" ] && break
  sleep 2
done
if [ -n "$unhealthy" ]; then
  compose ps >&2
  compose logs --tail=20 >&2
  fail "not healthy after 4 minutes:$unhealthy"
fi
pass "every service healthy ($services) in $(($(date +%s) - up_started)) s"
for s in master sales deploy-worker; do
  id=$(compose ps -q "$s")
  pid=$(docker inspect -f '{{.State.Pid}}' "$id")
  uid=$(awk '/^Uid:/ { print $2 }' "/proc/$pid/status")
  [ "$uid" = 65532 ] || fail "$s runs as uid $uid"
done
pass "master, sales and deploy-worker run as uid 65532, read-only, all capabilities dropped"

# 4. The journey, driven from inside the namespace (published ports are on its loopback).
pg_ip=$(docker inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' \
  "$(compose ps -q postgres)")
# The system tests' binary as scripts/test-lanes.sh built it (the same cargo command, so
# nothing is built again when it ran first).
exe=$(cargo test --workspace --locked --no-run --message-format=json-render-diagnostics 2>/dev/null |
  python3 -c '
import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m.get("executable") \
            and m["target"]["name"] == "it" and "/tests/Cargo.toml" in m["manifest_path"] \
            and m["manifest_path"].count("/crates/") == 0:
        print(m["executable"])
')
[ -x "$exe" ] || fail "the system tests' binary was not built"
journey_started=$(date +%s)
(cd tests && in_ns env COMPOSE_DATABASE_URL="postgres://booking:$pg_password@$pg_ip:5432/booking" \
  COMPOSE_SANDBOX_URL="http://$HOST_IP:8081" COMPOSE_SALES_TOKEN="$sales_token" \
  COMPOSE_SALES_URL=http://127.0.0.1:8091 COMPOSE_YOOKASSA_ADDR="$HOST_IP:8082" \
  COMPOSE_SHOP_ID=506751 COMPOSE_SHOP_SECRET="$shop_secret" \
  COMPOSE_BOT_USERNAME=compose_salon_bot \
  "$exe" --ignored --exact compose::the_compose_stack_sells_provisions_and_books --nocapture) 2>&1 |
  tee "$RUN/journey.log" | grep -E '^(PASS|test |thread|  left|  right|failures)' || true
grep -q '^test result: ok. 1 passed' "$RUN/journey.log" ||
  { compose logs --tail=30 >&2; fail "the journey (log: $RUN/journey.log)"; }
bots=$(docker ps --filter label=platform=compose --format '{{.Names}} {{.Image}} {{.Networks}}')
[ -n "$bots" ] || fail "no tenant bot container"
pass "the tenant's bot ran as a container of the worker's: $bots"
pass "journey against the stack in $(($(date +%s) - journey_started)) s; whole run $(($(date +%s) - started)) s"
if [ "${COMPOSE_KEEP:-0}" = 1 ]; then
  echo "kept up: DOCKER_HOST=$DOCKER_HOST docker-compose -p $PROJECT --project-directory $RUN ps"
  echo "  (ports on the namespace's loopback: ip netns exec $NS curl 127.0.0.1:8090/health)"
fi
