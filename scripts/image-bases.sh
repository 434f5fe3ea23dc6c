#!/usr/bin/env bash
# Makes images from Debian's packages (mmdebstrap) where no image registry is reachable, and
# imports them into the engine at DOCKER_HOST, each only if that engine lacks it:
#
#   scripts/image-bases.sh build runtime     # the Dockerfile's two bases (scripts/images.sh)
#   scripts/image-bases.sh runtime postgres redis   # and compose's stand-ins (scripts/compose.sh)
#
#   build     platform-build-base:bookworm    what rust:1.95-bookworm gives the build stage
#   runtime   platform-runtime-base:bookworm  what distroless/cc-debian12:nonroot gives
#   postgres  booking-local/postgres:15       stand-in for postgres:15 (same environment)
#   redis     booking-local/redis:7           stand-in for redis:7 (redis-server, redis-cli, sh)
#
# The root filesystems of the small ones are kept in $IMAGES_DIR, so that a second engine
# imports them without making them again.
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${IMAGES_DIR:-/tmp/platform-images}
mkdir -p "$DIR"
command -v mmdebstrap >/dev/null || {
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mmdebstrap >/dev/null
}
has() { docker image inspect "$1" >/dev/null 2>&1; }
# mmdebstrap with what every image here shares: bookworm, no recommended packages, no docs.
strap() {
  local tar=$1
  shift
  mmdebstrap --quiet --mode=root --aptopt='Apt::Install-Recommends "false"' \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
    "$@" bookworm "${tar%.tar}.part.tar" # the format follows the name's ending
  mv "${tar%.tar}.part.tar" "$tar"
}

build_base() {
  local tag=platform-build-base:bookworm
  has "$tag" && return
  # The machine's one Rust toolchain: Debian's rustc is too old, and rustup cannot download
  # here. The CA bundle is this machine's, which trusts the proxy its traffic to crates.io
  # goes through (Debian's bundle alone does not).
  local toolchain=${RUST_TOOLCHAIN_DIR:-$(rustc --print sysroot)}
  echo "making $tag from Debian packages and $toolchain"
  strap "$DIR/build-base.tar" --variant=minbase \
    --include=ca-certificates,gcc,libc6-dev,pkg-config \
    --customize-hook="mkdir -p \"\$1/usr/local/rust\"" \
    --customize-hook="copy-in $toolchain/bin $toolchain/lib /usr/local/rust" \
    --customize-hook='copy-in /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs'
  docker import \
    --change 'ENV PATH=/usr/local/rust/bin:/usr/local/cargo/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV CARGO_HOME=/usr/local/cargo' \
    "$DIR/build-base.tar" "$tag" >/dev/null
  rm -f "$DIR/build-base.tar" # gigabytes, with the toolchain
}

# No shell and no package manager: packages are only unpacked (variant extract), never
# configured, so the CA bundle is written by the hook; the nonroot user is 65532.
runtime_base() {
  local tag=platform-runtime-base:bookworm
  has "$tag" && return
  if [ ! -f "$DIR/runtime-base.tar" ]; then
    echo "making $tag from Debian packages"
    strap "$DIR/runtime-base.tar" --variant=extract \
      --include=base-files,netbase,tzdata,libc6,libgcc-s1,ca-certificates \
      --customize-hook='mkdir -p "$1/etc/ssl/certs" "$1/tmp" "$1/home/nonroot" && chmod 1777 "$1/tmp"' \
      --customize-hook='copy-in /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs' \
      --customize-hook='printf "root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n" >"$1/etc/passwd"' \
      --customize-hook='printf "root:x:0:\nnonroot:x:65532:\n" >"$1/etc/group" && chown 65532:65532 "$1/home/nonroot"' \
      --customize-hook='rm -rf "$1/usr/share/doc" "$1/usr/share/man" "$1/usr/share/info" "$1/var/lib/apt" "$1/var/cache"'
  fi
  docker import --change 'USER 65532:65532' "$DIR/runtime-base.tar" "$tag" >/dev/null
}

# Debian's PostgreSQL 15 behind an entrypoint that reads what the official image reads
# (POSTGRES_USER, POSTGRES_PASSWORD, POSTGRES_DB; data in /var/lib/postgresql/data). Its
# socket is in the postgres user's home (PGHOST), which it owns: the tarball keeps no /run.
postgres() {
  local tag=booking-local/postgres:15
  has "$tag" && return
  if [ ! -f "$DIR/postgres.tar" ]; then
    echo "making $tag from Debian packages"
    strap "$DIR/postgres.tar" --variant=minbase --include=postgresql-15 \
      --customize-hook='copy-in scripts/images/postgres-entrypoint.sh /usr/local/bin' \
      --customize-hook='mkdir -p "$1/var/lib/postgresql/data"' \
      --customize-hook='chroot "$1" chown postgres:postgres /var/lib/postgresql/data' \
      --customize-hook='chmod 700 "$1/var/lib/postgresql/data"' \
      --customize-hook='rm -rf "$1/var/lib/postgresql/15" "$1/var/lib/apt/lists"/* "$1/var/cache/apt"/*'
  fi
  docker import --change 'USER postgres' \
    --change 'ENV PATH=/usr/lib/postgresql/15/bin:/usr/local/bin:/usr/bin:/bin' \
    --change 'ENV PGDATA=/var/lib/postgresql/data' \
    --change 'ENV PGHOST=/var/lib/postgresql' \
    --change 'EXPOSE 5432' --change 'VOLUME /var/lib/postgresql/data' \
    --change 'ENTRYPOINT ["/usr/local/bin/postgres-entrypoint.sh"]' \
    "$DIR/postgres.tar" "$tag" >/dev/null
}

# Debian's Redis 7 (redis-server, redis-cli) with a shell, as the official image has, for
# compose's entrypoint and health check; it runs as the redis user in /data.
redis() {
  local tag=booking-local/redis:7
  has "$tag" && return
  if [ ! -f "$DIR/redis.tar" ]; then
    echo "making $tag from Debian packages"
    strap "$DIR/redis.tar" --variant=minbase --include=redis-server \
      --customize-hook='mkdir -p "$1/data" && chroot "$1" chown redis:redis /data' \
      --customize-hook='rm -rf "$1/var/lib/apt/lists"/* "$1/var/cache/apt"/*'
  fi
  docker import --change 'USER redis' --change 'WORKDIR /data' --change 'EXPOSE 6379' \
    --change 'VOLUME /data' --change 'CMD ["redis-server"]' \
    "$DIR/redis.tar" "$tag" >/dev/null
}

for image in "$@"; do
  case $image in
    build) build_base ;;
    runtime) runtime_base ;;
    postgres) postgres ;;
    redis) redis ;;
    *) echo "unknown image '$image' (build, runtime, postgres, redis)" >&2; exit 2 ;;
  esac
done
