//! bot-kit against a real Bot API peer: tg-sandbox in this process, teloxide's own dispatcher,
//! and a small bot built only from bot-kit's pieces.

// Tests may unwrap and panic: a failure is a failed test with its line.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod gates;
mod panics;
mod replies;
mod shutdown;
mod support;
