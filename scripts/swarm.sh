#!/usr/bin/env bash
# Starts a Docker engine on its own socket and makes it a one-node Swarm, for the deploy worker's
# Swarm runtime tests (`shared/reference/docker-swarm.md`). Idempotent, like scripts/podman.sh:
# installs docker.io (and what the two-node test uses) only if missing, starts dockerd only if
# its socket does not answer, and initialises the swarm only if the engine is not in one.
#
# The engine changes nothing on the host's network (no bridge, no iptables rules, no routing
# mesh) and listens on loopback only (the swarm's ports 2377 and 7946 included), stores its
# images under $SWARM_DIR (overlay2; vfs where overlay cannot mount), and sets
# no-new-privileges for every container: Docker 20.10's service API cannot ask for it per
# service.
set -euo pipefail
DIR=${SWARM_DIR:-/tmp/dkr}
SOCK=$DIR/docker.sock
export DOCKER_HOST=unix://$SOCK

# socat, iproute2 and nsenter (util-linux): the two-node test's namespace and forwards.
missing=()
command -v dockerd >/dev/null || missing+=(docker.io)
command -v socat >/dev/null || missing+=(socat)
command -v ip >/dev/null || missing+=(iproute2)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]} for the deploy worker's Swarm tests"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    --no-install-recommends "${missing[@]}" >/dev/null
fi

ping() { curl -sf -m 5 --unix-socket "$SOCK" http://d/_ping >/dev/null 2>&1; }
# The daemon of our pid file, if one runs: a pid from before a reboot may name another process.
running() {
  local pid
  pid=$(cat "$DIR/docker.pid" 2>/dev/null) && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = dockerd ]
}

start() {
  local driver=$1
  # No daemon runs (checked by the caller): what a killed one left (socket, pid file, runtime
  # state) goes, or the wait below would read its stale pid file as this start's exit.
  rm -rf "$SOCK" "$DIR/docker.pid" "$DIR/exec"
  # From /, so the daemon never holds a directory that may be removed under it (a worktree);
  # exec'd with every descriptor redirected, so nothing waits on it or holds the caller's output.
  (cd / && exec setsid dockerd --data-root "$DIR/data" --exec-root "$DIR/exec" \
    --pidfile "$DIR/docker.pid" -H "unix://$SOCK" --bridge=none --iptables=false \
    --ip-masq=false --no-new-privileges --storage-driver="$driver" \
    >"$DIR/dockerd.log" 2>&1 </dev/null) &
  for _ in $(seq 1 100); do
    ping && return 0
    # A daemon that exited (the storage driver refused) will not answer: stop waiting.
    [ -f "$DIR/docker.pid" ] && ! running && return 1
    sleep 0.2
  done
  return 1
}

if ! ping; then
  mkdir -p "$DIR"
  if running; then
    echo "dockerd $(cat "$DIR/docker.pid") does not answer on $SOCK; see $DIR/dockerd.log" >&2
    exit 1
  fi
  # The driver the data root was made with, else overlay2 (vfs copies the image per container).
  driver=$(cat "$DIR/driver" 2>/dev/null || echo overlay2)
  if ! start "$driver"; then
    if [ "$driver" = overlay2 ] && [ ! -f "$DIR/driver" ]; then
      echo "overlay2 failed here; falling back to vfs"
      rm -rf "$DIR/data"
      driver=vfs
      start vfs || { echo "dockerd did not start; see $DIR/dockerd.log" >&2; exit 1; }
    else
      echo "dockerd did not start; see $DIR/dockerd.log" >&2
      exit 1
    fi
  fi
  echo "$driver" >"$DIR/driver"
fi

state=$(curl -sf -m 10 --unix-socket "$SOCK" http://d/info | sed -n 's/.*"LocalNodeState":"\([a-z]*\)".*/\1/p')
if [ "$state" != active ]; then
  # Loopback: a one-node swarm that is reachable from nowhere else.
  curl -sf -m 60 -XPOST --unix-socket "$SOCK" -H 'Content-Type: application/json' \
    -d '{"ListenAddr":"127.0.0.1:2377","AdvertiseAddr":"127.0.0.1"}' http://d/swarm/init \
    >/dev/null || { echo "swarm init failed; see $DIR/dockerd.log" >&2; exit 1; }
  # Init makes the routing mesh: an `ingress` overlay whose sandbox hangs on a new host bridge
  # (`docker_gwbridge`, 172.17.0.0/16). Tenant bots publish no port and run on the host
  # network, so both go: the host's interfaces and routes stay as they were.
  curl -sf -m 10 -XDELETE --unix-socket "$SOCK" http://d/networks/ingress >/dev/null || true
  for _ in $(seq 1 25); do
    curl -sf -m 10 -XDELETE --unix-socket "$SOCK" http://d/networks/docker_gwbridge >/dev/null && break
    sleep 0.2
  done
fi
echo "docker swarm ready at $DOCKER_HOST (export SWARM_DOCKER_HOST=$DOCKER_HOST for other paths)"
