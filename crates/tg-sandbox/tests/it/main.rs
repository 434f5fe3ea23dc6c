//! Integration tests of tg-sandbox: one test binary, one module per area.

// Test code: a panic is a failed test with a line number, which is what we want.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod bad_input;
mod binary;
mod bot_api;
mod botfather;
mod callback_waits;
mod demo_bot;
mod files_and_commands;
mod flood;
mod many;
mod payments_raw;
mod payments_teloxide;
mod required_fields;
mod shop_bot;
mod support;
mod teloxide_polling;
mod teloxide_webhook;
mod users;
mod web_page;
mod web_payments;
mod webhook;
