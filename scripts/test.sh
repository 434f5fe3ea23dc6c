#!/usr/bin/env bash
# Runs every test on a fresh machine: starts PostgreSQL and Redis if needed, installs the
# browser the web-page test drives, builds the binaries the system tests start, then tests.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/services.sh

if ! command -v chromium >/dev/null; then
  echo "installing chromium for the tg-sandbox web page test"
  apt-get update -qq && apt-get install -y -qq chromium >/dev/null
fi

scripts/podman.sh # the deploy worker's engine tests need a Docker-API engine
scripts/swarm.sh  # ... and its Swarm runtime tests a one-node swarm (dockerd on its own socket)
# The system tests start the real binaries; build them first (same profile as the tests).
cargo build --workspace --bins --locked
# Every crate's tests (cargo test --workspace's binaries), the booking bot's beside the rest.
scripts/test-lanes.sh
# The shipped docker-compose.yml brought up on an engine of its own, and the whole platform's
# journey run against it (about 1.5 minutes once its images exist; they are made once).
scripts/compose.sh
# The operator API's schemathesis fuzz pass: zero server errors over the OpenAPI document
# (about 2 minutes on this machine once its venv exists).
scripts/fuzz-api.sh
# Last and alone: these restart PostgreSQL and Redis under a running bot (about 3 minutes).
scripts/faults.sh
