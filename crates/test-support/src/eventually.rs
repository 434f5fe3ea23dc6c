//! Waiting for what a test cannot be told about: state a service writes in the background (a
//! database row, a container), which no chat message or reply announces.

use std::{future::Future, time::Duration};

/// How long [`eventually`] waits.
pub const EVENTUALLY: Duration = Duration::from_secs(15);

/// Polls `check` every 50 ms until it holds; fails the test naming `what` after
/// [`EVENTUALLY`].
pub async fn eventually<F, Fut>(what: &str, check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    assert!(
        holds_within(EVENTUALLY, Duration::from_millis(50), check).await,
        "never happened within {EVENTUALLY:?}: {what}"
    );
}

/// Polls `check` every `every` for up to `timeout`; whether it came to hold.
pub async fn holds_within<F, Fut>(timeout: Duration, every: Duration, mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        if check().await {
            return true;
        }
        if tokio::time::Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(every).await;
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;

    #[tokio::test]
    async fn a_check_that_comes_true_is_waited_for_and_one_that_never_does_is_not() {
        let calls = AtomicU32::new(0);
        let third = holds_within(Duration::from_secs(5), Duration::from_millis(1), || async {
            calls.fetch_add(1, Ordering::Relaxed) >= 2
        })
        .await;
        assert!(third);
        assert_eq!(calls.load(Ordering::Relaxed), 3);
        let never = holds_within(
            Duration::from_millis(30),
            Duration::from_millis(5),
            || async { false },
        )
        .await;
        assert!(!never);
    }
}
