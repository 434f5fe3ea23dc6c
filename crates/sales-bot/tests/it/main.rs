//! The sales bot's integration tests: real PostgreSQL and Redis, tg-sandbox as the Bot API,
//! and the fake YooKassa from test-support (the one faked part).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod client;
mod conversation;
mod limits;
mod proxies;
mod reconcile_job;
mod redaction;
mod redis_users;
mod renewals;
mod support;
mod webhook;
