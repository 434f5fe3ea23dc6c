//! The platform's binaries, started as real processes.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests

mod api_notices;
mod binaries;
mod cli;
mod compose;
mod faults;
mod journey;
mod platform;
mod platform_faults;
