//! Named points between a placement's steps, where a test can hold the worker and then kill it
//! (abort its task), exactly there: "killed between the grant and the PUT" cannot be hit by
//! timing alone, the two are microseconds apart. In production no hook is set and a checkpoint
//! costs nothing.

use std::{fmt, sync::Arc};

use futures::future::BoxFuture;

/// A placement's step just completed.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Step {
    /// The tenant's host is chosen and recorded.
    Assigned,
    /// The host's role holds the tenant's role.
    Granted,
    /// The tenant's dedicated container is stopped, so the host alone will take its updates.
    DedicatedStopped,
    /// The host was asked to serve the tenant and did (before the dedicated container goes).
    Served,
}

/// What a test runs at each step; it may never return (then the test aborts the task).
pub type Hook = Arc<dyn Fn(Step) -> BoxFuture<'static, ()> + Send + Sync>;

/// The hook of a reconciler, if any.
#[derive(Clone, Default)]
pub struct Checkpoints(Option<Hook>);

impl fmt::Debug for Checkpoints {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_some() {
            "Checkpoints(hooked)"
        } else {
            "Checkpoints(none)"
        })
    }
}

impl Checkpoints {
    /// Checkpoints that run `hook`.
    #[must_use]
    pub fn hooked(hook: Hook) -> Self {
        Self(Some(hook))
    }

    pub(super) async fn reached(&self, step: Step) {
        if let Some(hook) = &self.0 {
            hook(step).await;
        }
    }
}
