//! tg-sandbox: a local Telegram Bot API server for tests, demos and trying the bots without a
//! token.
//!
//! - The Bot API at `/bot<token>/<method>`, with answers built from teloxide's own types.
//! - A control API under `/sandbox/...` that plays the users, [`client::SandboxClient`] for it,
//!   and [`chat::Chat`], one user's chat with a bot as tests drive it.
//! - A web chat page at `/`.
//!
//! Start it in-process with [`spawn`], or run the binary and point bots at it with
//! `Bot::new(token).set_api_url(url)`.

pub mod api_types;
mod bot_api;
pub mod botfather;
pub mod chat;
pub mod client;
pub mod config;
mod control;
pub mod error;
mod flood;
pub mod ids;
mod markup;
mod server;
mod state;
mod telegram;
mod webhook;

pub use api_types::*;
pub use chat::Chat;
pub use client::{ClientError, SandboxClient};
pub use config::{Config, FloodLimits, Rate, RetryPolicy};
pub use ids::{BotToken, FileKey};
pub use server::{SandboxHandle, router, run, spawn};
pub use webhook::SECRET_HEADER;
