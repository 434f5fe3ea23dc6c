#!/usr/bin/env bash
# Fuzzes the operator API from its own OpenAPI document with schemathesis (PyPI) and fails on
# any server error (5xx) or response that breaks the document. Runs against a fresh database,
# a real `master-bot serve` and a tg-sandbox as the Bot API (bot tokens are checked with getMe).
#
#   scripts/fuzz-api.sh                # 100 examples per operation
#   MAX_EXAMPLES=500 scripts/fuzz-api.sh
set -euo pipefail
cd "$(dirname "$0")/.."

MAX_EXAMPLES="${MAX_EXAMPLES:-100}"
SERVER="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
DB="fuzz_$$"
API_ADDR=127.0.0.1:18090
SANDBOX_ADDR=127.0.0.1:18081
VENV="${SCHEMATHESIS_VENV:-target/schemathesis-venv}"

if [ ! -x "$VENV/bin/st" ]; then
  python3 -m venv "$VENV"
  # Pinned: a new schemathesis may add checks or change its output, and CI runs this.
  "$VENV/bin/pip" install -q "schemathesis==4.32.5"
fi

cargo build -q --bin master-bot --bin tg-sandbox
psql -q "$SERVER" -c "create database $DB"
URL="${SERVER%/*}/$DB"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  psql -q "$SERVER" -c "drop database if exists $DB with (force)" || true
  psql -qtA "$SERVER" -c "select rolname from pg_roles where rolname like '${DB}\_%'" |
    while read -r role; do psql -q "$SERVER" -c "drop role if exists \"$role\""; done
}
trap cleanup EXIT

export DATABASE_URL="$URL" RUST_LOG=warn LOG_FORMAT=json
export DATA_KEY="$(head -c 32 /dev/urandom | base64)"
target/debug/master-bot migrate >/dev/null
KEY="$(target/debug/master-bot apikey create --operator --name fuzz 2>/dev/null)"
# One tenant, so that tenant-scoped operations also reach real data.
target/debug/master-bot tenant create --name Fuzz --time-zone Europe/Moscow >/dev/null

HTTP_ADDR=$SANDBOX_ADDR target/debug/tg-sandbox >/dev/null 2>&1 &
pids+=($!)
# The fuzzer is one client sending as fast as it can: no rate limit for it.
HTTP_ADDR=$API_ADDR TELEGRAM_API_URL="http://$SANDBOX_ADDR" API_RATE_BURST=1000000 API_RATE_PER_SECOND=1000000 \
  target/debug/master-bot serve 2>target/fuzz-api.log &
pids+=($!)
for _ in $(seq 50); do
  curl -sf "http://$API_ADDR/health" >/dev/null && break
  sleep 0.2
done

# From target/: schemathesis keeps its example database in ./.schemathesis.
VENV="$(cd "$VENV" && pwd)"
cd target
"$VENV/bin/st" run "http://$API_ADDR/api/v1/openapi.json" \
  --url "http://$API_ADDR/api/v1" \
  --header "Authorization: Bearer $KEY" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
  --max-examples "$MAX_EXAMPLES" \
  --seed 1 | tee fuzz-api-report.txt

# A plain closing line with the counts (schemathesis's own summary names them differently).
passed=$(grep -oE '[0-9]+ passed' fuzz-api-report.txt | tail -1 | grep -oE '[0-9]+' || echo 0)
failed=$(grep -oE '[0-9]+ failed' fuzz-api-report.txt | tail -1 | grep -oE '[0-9]+' || echo 0)
echo "fuzz-api: $passed passed, $failed failed"
