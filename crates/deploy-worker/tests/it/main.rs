//! The deploy worker against real engines: the Docker engine API (podman's service here; start
//! it with `scripts/podman.sh`) and a Docker Swarm (`scripts/swarm.sh`). Shared tests run on
//! both (`both_engines!`, in `support`), the placement tests on podman; each test labels its
//! bots with its own platform label and removes them at the end.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod concurrency;
mod crash;
mod lifecycle;
mod placement;
mod placement_crash;
mod placement_support;
mod rollout;
mod second_node;
mod secrets_key;
mod support;
mod swarm;
mod tenant_bot;
