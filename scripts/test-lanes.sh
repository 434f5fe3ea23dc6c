#!/usr/bin/env bash
# Runs every crate's tests in two lanes at once: the booking bot's integration tests (the
# longest binary, about 4 minutes) beside all the others. `cargo test` runs test binaries one
# after another and holds the build lock while they run, but the tests mostly wait on the
# processes they start (bots, tg-sandbox, PostgreSQL, engines), so two lanes fit on two cores
# and the whole run takes the longer lane's time instead of the sum.
#
# Each binary runs from its package's folder, as `cargo test` runs it; its output is printed
# when its lane ends; the script fails if any binary failed. Doc tests run after, with cargo.
set -euo pipefail
cd "$(dirname "$0")/.."
LOGS=$(mktemp -d)

# Build every test binary once and list them: "<package folder> <executable>", one a line.
cargo test --workspace --locked --no-run --message-format=json-render-diagnostics \
  | python3 -c '
import json, os, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m.get("profile", {}).get("test") and m.get("executable"):
        print(os.path.dirname(m["manifest_path"]), m["executable"])
' >"$LOGS/binaries"

lane() { # lane NAME GREP-ARGS...: runs the binaries whose lines grep picks, in order
  local name=$1 status=0 dir exe
  shift
  while read -r dir exe; do
    echo "     Running $exe" >>"$LOGS/$name.log"
    (cd "$dir" && "$exe") >>"$LOGS/$name.log" 2>&1 || { status=1; echo "FAILED: $exe" >>"$LOGS/$name.log"; }
  done < <(grep "$@" "$LOGS/binaries" || true)
  return $status
}

status=0
BOT='/crates/booking-bot .*/it-[0-9a-f]+$'
lane bot -E "$BOT" & bot=$!
lane rest -Ev "$BOT" || status=1
wait "$bot" || status=1
cat "$LOGS/rest.log" "$LOGS/bot.log"
grep -h "^FAILED" "$LOGS"/*.log || true
cargo test --workspace --locked --doc || status=1
rm -rf "$LOGS"
exit $status
