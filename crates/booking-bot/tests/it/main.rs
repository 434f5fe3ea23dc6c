//! The booking bot end to end: the real dispatcher over long polling against an in-process
//! tg-sandbox, a fresh PostgreSQL database per test (the bot logs in as the tenant's role) and
//! the local Redis.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests

mod admins;
mod blocked;
mod booking;
mod cancel;
mod dialogues;
mod forged;
mod outage;
mod past;
mod rate_limit;
mod reschedule;
mod restart;
mod start;
mod support;
