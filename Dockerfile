# Multi-stage build of the platform's binaries into one small runtime image.
# Not yet built on the project's machines (they run no Docker engine); the deploy issue adds a
# podman-built test image and checks this file.
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked --bins

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --no-create-home app
COPY --from=build /src/target/release/booking-bot /src/target/release/master-bot \
     /src/target/release/sales-bot /src/target/release/deploy-worker /usr/local/bin/
USER app
