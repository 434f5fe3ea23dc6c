#!/usr/bin/env bash
# Starts podman's Docker-compatible API service for the deploy worker's engine tests, once.
# Idempotent: installs podman and runc only if missing, writes the engine configuration only if
# it differs, and starts the service only if its socket does not answer.
# runc rather than crun: crun fails on these machines' hybrid cgroups.
set -euo pipefail
SOCK=/run/podman/podman.sock

if ! command -v podman >/dev/null || ! command -v runc >/dev/null; then
  echo "installing podman and runc for the deploy worker's engine tests"
  apt-get update -qq && apt-get install -y -qq podman runc >/dev/null
fi

CONF='[containers]
default_ulimits = []

[engine]
runtime = "runc"
'
mkdir -p /etc/containers /run/podman
if [ "$(cat /etc/containers/containers.conf 2>/dev/null)" != "$(printf '%s' "$CONF")" ]; then
  printf '%s' "$CONF" > /etc/containers/containers.conf
fi

# A service started from a directory that was later deleted (a CI clone, a worktree) still
# answers pings, but conmon cannot start containers ("Failed to get working directory", and the
# API says "write child: broken pipe"). Restart such a service.
for pid in $(pgrep -f "podman system service" || true); do
  if [[ "$(readlink "/proc/$pid/cwd" 2>/dev/null)" == *"(deleted)" ]]; then
    echo "restarting the podman service: its working directory was deleted"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
done

if ! curl -sf --unix-socket "$SOCK" http://d/_ping >/dev/null 2>&1; then
  rm -f "$SOCK"
  # From /, so the service never holds a directory that may be removed under it.
  (cd / && nohup podman system service --time=0 "unix://$SOCK" >/tmp/podman-service.log 2>&1 &)
  for _ in $(seq 1 50); do
    curl -sf --unix-socket "$SOCK" http://d/_ping >/dev/null 2>&1 && break
    sleep 0.2
  done
  curl -sf --unix-socket "$SOCK" http://d/_ping >/dev/null || {
    echo "podman service did not answer on $SOCK; see /tmp/podman-service.log" >&2
    exit 1
  }
fi
echo "podman engine ready at unix://$SOCK"
