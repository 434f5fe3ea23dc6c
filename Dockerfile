# One image for the platform's binaries; the command picks the binary:
#   booking-bot (the default: the image the deploy worker runs per tenant), master-bot serve,
#   sales-bot, deploy-worker. `healthcheck` asks the service's own /health (no curl inside).
# See DEPLOYMENT.md. Where no registry is reachable, scripts/images.sh makes both bases from
# Debian's packages and passes them as the two build arguments below.

ARG BUILD_BASE=rust:1.95-bookworm
ARG RUNTIME_BASE=gcr.io/distroless/cc-debian12:nonroot

# glibc and libgcc only (the binaries use rustls, no OpenSSL), same Debian release as the build
# stage; no shell, no package manager; runs as the image's non-root user (uid 65532).
# Named, so that binaries built elsewhere on the same Debian release can be put into exactly
# this runtime (`docker build --target runtime`, then a COPY onto it: scripts/compose.sh).
FROM ${RUNTIME_BASE} AS runtime
USER 65532:65532
ENV LOG_FORMAT=json
# Docker runs it; podman without systemd does not, which is why the deploy worker also runs
# the same command itself through exec before it calls a tenant's bot healthy.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
    CMD ["/usr/local/bin/healthcheck"]
CMD ["booking-bot"]

FROM ${BUILD_BASE} AS build
WORKDIR /src
# The whole workspace: its crates depend on each other and on migrations/ (embedded at build).
COPY . .
RUN cargo build --release --locked \
        -p booking-bot -p master-bot -p sales-bot -p deploy-worker --bins \
    && mkdir /out \
    && cp target/release/booking-bot target/release/master-bot target/release/sales-bot \
          target/release/deploy-worker target/release/healthcheck /out/

FROM runtime
COPY --from=build /out/ /usr/local/bin/
