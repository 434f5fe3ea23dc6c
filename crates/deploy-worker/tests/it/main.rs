//! The deploy worker against a real Docker-API engine (podman's service here; start it with
//! `scripts/podman.sh`). Each test labels its containers with its own platform label and
//! removes them at the end.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod concurrency;
mod crash;
mod lifecycle;
mod rollout;
mod support;
mod tenant_bot;
