//! What the platform's bots (booking, operator, sales) share, so each bot is its handler tree
//! and its screens and nothing else:
//!
//! - [`polling`]: long polling kept alive through Bot API outages, ended by a rejected token,
//!   and stopped within a bounded time whatever the Bot API is doing;
//! - [`panic`](mod@panic): a panic in one update's handler is logged and apologised for, and the chat
//!   (and the dispatcher) go on;
//! - [`reply`] and [`send`]: what a step answers, and the one way it becomes Bot API calls;
//! - [`middleware`]: the sender of an update, and gates (allowlist, rate limit) run once per
//!   update instead of at every entry point;
//! - [`callback`]: the conventions of button data (version prefix, 64 bytes, bounded numbers
//!   and times) and a round-trip test macro;
//! - [`texts`]: `tr(locale, en, ru)`, and the few sentences every bot says alike.
//!
//! Nothing here is global: a process may run many bots (a bot host serves many tenants), each
//! with its own [`TgBot`], handler tree, dependencies and stop.

/// The throttled bot every handler uses, and the name of its token's variable.
pub mod bot;
/// Button data conventions and the round-trip test macro.
pub mod callback;
/// The sender of an update, and gates run once per update.
pub mod middleware;
/// Panic isolation per update.
pub mod panic;
/// The long-polling supervisor.
pub mod polling;
/// What a step answers.
pub mod reply;
/// Turning a reply into Bot API calls.
pub mod send;
/// `tr(locale, en, ru)` and the sentences every bot shares.
pub mod texts;

pub use bot::{TgBot, TokenSource};
pub use middleware::{Gate, Sender};
pub use polling::{LongPolling, Timing, TokenRejected};
pub use reply::{Attachment, Notice, Outgoing, Placement, Reply, Screen};
pub use texts::tr;
