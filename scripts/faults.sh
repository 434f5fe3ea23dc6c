#!/usr/bin/env bash
# Fault tests that restart the machine's PostgreSQL and Redis under a running tenant bot. They
# stop services every other test shares, so they run here, alone and one at a time, after the
# main suite (scripts/test.sh). Each prints a PASS line; any failure exits non-zero.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/services.sh >/dev/null
cargo build --workspace --bins --locked
cargo test -p system-tests --test it --locked faults -- --ignored --test-threads=1 --nocapture \
  2>&1 | grep -E "^PASS|^test result|panicked|FAILED|^error"
echo "PASS faults: every fault test passed"
