#!/usr/bin/env bash
# Builds the platform image on this machine, which reaches no image registry: the Dockerfile's
# two bases are made here from Debian's packages (mmdebstrap) and imported, then `docker build`
# runs the shipped Dockerfile with them as build arguments, and the image is checked:
# non-root, every binary answers --version, and a running master-bot passes the image's own
# HEALTHCHECK. Prints one PASS line per check and the image's size.
#
#   scripts/images.sh             # bases once (reused), the image, the checks
#   IMAGE_TAG=x:y scripts/images.sh
#   IMAGE_SKIP_BUILD=1 scripts/images.sh   # only the checks, on an image already built
#
# Engine: the dockerd of scripts/swarm.sh (started if needed). It runs with no bridge, so the
# build and the checks use the host's network (crates.io is reachable, PostgreSQL on loopback).
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${IMAGES_DIR:-/tmp/platform-images}
mkdir -p "$DIR"
TAG=${IMAGE_TAG:-booking-platform:local}
BUILD_BASE=platform-build-base:bookworm
RUNTIME_BASE=platform-runtime-base:bookworm

scripts/swarm.sh >/dev/null
export DOCKER_HOST=${SWARM_DOCKER_HOST:-unix:///tmp/dkr/docker.sock}
# Docker 20.10's daemon has no BuildKit front end for this client: the classic builder.
export DOCKER_BUILDKIT=0
has() { docker image inspect "$1" >/dev/null 2>&1; }
scripts/image-bases.sh build runtime

if [ "${IMAGE_SKIP_BUILD:-0}" = 1 ] && has "$TAG"; then
  echo "checking the existing $TAG (IMAGE_SKIP_BUILD=1)"
else
echo "building $TAG (release; several minutes on two cores)"
started=$(date +%s)
docker build --network host --build-arg BUILD_BASE="$BUILD_BASE" \
  --build-arg RUNTIME_BASE="$RUNTIME_BASE" -t "$TAG" . >"$DIR/build.log" 2>&1 || {
  tail -30 "$DIR/build.log" >&2
  echo "FAIL: docker build (whole log: $DIR/build.log)" >&2
  exit 1
}
echo "built $TAG in $(($(date +%s) - started)) s"
fi

user=$(docker image inspect -f '{{.Config.User}}' "$TAG")
[ "$user" = 65532:65532 ] || { echo "FAIL: the image runs as '$user', not 65532" >&2; exit 1; }
echo "PASS image runs as non-root ($user)"

for bin in booking-bot master-bot sales-bot deploy-worker; do
  out=$(docker run --rm --network none "$TAG" "$bin" --version)
  echo "PASS $bin --version: $out"
done

# master-bot serve on the host's PostgreSQL, with the image's HEALTHCHECK run every second.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
db=platform_image_check
psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
name=platform-image-check
docker rm -f "$name" >/dev/null 2>&1 || true
docker run -d --name "$name" --network host --health-interval=1s --health-start-period=30s \
  -e DATABASE_URL="postgres://postgres@127.0.0.1:5432/$db" \
  -e DATA_KEY="$(head -c 32 /dev/urandom | base64)" -e HTTP_ADDR="127.0.0.1:$port" \
  "$TAG" master-bot serve >/dev/null
health=starting
for _ in $(seq 1 60); do
  health=$(docker inspect -f '{{.State.Health.Status}}' "$name" 2>/dev/null || echo gone)
  [ "$health" = healthy ] || [ "$health" = gone ] && break
  [ "$(docker inspect -f '{{.State.Running}}' "$name")" = true ] || break
  sleep 1
done
# The process as the host's kernel sees it: its real user id.
pid=$(docker inspect -f '{{.State.Pid}}' "$name")
uid=$(awk '/^Uid:/ { print $2 }' "/proc/$pid/status" 2>/dev/null || echo unknown)
if [ "$health" != healthy ]; then
  docker logs "$name" 2>&1 | tail -20 >&2
  docker rm -f "$name" >/dev/null
  echo "FAIL: master-bot in the image is '$health', not healthy" >&2
  exit 1
fi
docker rm -f "$name" >/dev/null
psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS $db"
echo "PASS master-bot serve in the image: HEALTHCHECK healthy, process uid $uid"

size=$(docker image inspect -f '{{.Size}}' "$TAG")
echo "PASS image $TAG: $((size / 1024 / 1024)) MiB ($(docker image inspect -f '{{.Size}}' "$RUNTIME_BASE" | awk '{ printf "%d", $1 / 1048576 }') MiB of it the runtime base)"
