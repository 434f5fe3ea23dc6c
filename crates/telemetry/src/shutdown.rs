//! Stopping a process in order: [`shutdown_signal`] turns SIGTERM and Ctrl-C into one future,
//! and [`Shutdown`] is the one stop every long-running part of a process watches (the HTTP
//! server, a bot's polling, background loops), so that whichever part ends first can stop the
//! others, and a bot host can stop one tenant's bot without stopping the rest.

use std::future::{Future, IntoFuture};

use tokio_util::sync::CancellationToken;

/// Resolves on Ctrl-C or SIGTERM (what `docker stop` and Kubernetes send).
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => tracing::info!("Ctrl-C received, shutting down"),
        () = terminate => tracing::info!("SIGTERM received, shutting down"),
    }
}

/// A stop that many tasks watch. Cheap to clone: every clone is the same stop.
///
/// A [`child`](Self::child) stops when its parent does, or on its own without stopping the
/// parent: a tenant's bot in a shared host stops on the host's stop or when the tenant is
/// taken off. Once triggered a stop stays triggered.
#[derive(Clone, Debug, Default)]
pub struct Shutdown(CancellationToken);

impl Shutdown {
    /// A stop that only [`trigger`](Self::trigger) sets off.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// A stop that `signal` sets off when it resolves ([`shutdown_signal`], or a test's
    /// channel), as well as [`trigger`](Self::trigger).
    ///
    /// Watches `signal` on a task of its own, so it must be called inside a Tokio runtime; the
    /// task ends with the stop, whichever way it came.
    #[must_use]
    pub fn from_signal(signal: impl Future<Output = ()> + Send + 'static) -> Self {
        let stop = Self::new();
        let token = stop.0.clone();
        tokio::spawn(async move {
            tokio::select! {
                () = signal => token.cancel(),
                () = token.cancelled() => {}
            }
        });
        stop
    }

    /// A stop that follows this one and can also be triggered alone.
    #[must_use]
    pub fn child(&self) -> Self {
        Self(self.0.child_token())
    }

    /// Stops everything watching this stop (and its children).
    pub fn trigger(&self) {
        self.0.cancel();
    }

    #[must_use]
    pub fn is_triggered(&self) -> bool {
        self.0.is_cancelled()
    }

    /// Resolves once the stop is triggered (at once if it already is). Owns what it needs, so
    /// it can be handed to anything that takes a shutdown future.
    pub fn wait(&self) -> impl Future<Output = ()> + Send + use<> {
        self.0.clone().cancelled_owned()
    }

    /// Runs `work` until it finishes (`Some` with its output) or the stop comes first (`None`,
    /// and `work` is dropped).
    pub async fn run_until<T>(&self, work: impl IntoFuture<Output = T>) -> Option<T> {
        self.0.run_until_cancelled(work.into_future()).await
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn a_child_stops_with_its_parent_but_not_the_other_way_round() {
        let host = Shutdown::new();
        let (one, two) = (host.child(), host.child());
        one.trigger();
        assert!(one.is_triggered());
        assert!(!host.is_triggered() && !two.is_triggered());
        host.trigger();
        assert!(two.is_triggered());
        // Waiting on a stop that has already come returns at once.
        tokio::time::timeout(Duration::from_secs(1), two.wait())
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn a_signal_triggers_the_stop_and_every_clone_sees_it() {
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let stop = Shutdown::from_signal(async move {
            let _ = rx.await;
        });
        let seen = stop.clone();
        assert!(!seen.is_triggered());
        tx.send(()).unwrap();
        tokio::time::timeout(Duration::from_secs(1), seen.wait())
            .await
            .unwrap();
        assert!(stop.is_triggered());
    }

    #[tokio::test]
    async fn work_is_cut_short_by_the_stop() {
        let stop = Shutdown::new();
        assert_eq!(stop.run_until(async { 7 }).await, Some(7));
        stop.trigger();
        assert_eq!(
            stop.run_until(std::future::pending::<()>()).await,
            None,
            "pending work is dropped once stopped"
        );
    }
}
