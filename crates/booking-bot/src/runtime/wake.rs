//! What wakes one tenant's outbox dispatcher between its timers: a message queued (by this
//! process or any other, through the database's notification) due at some time, or a resync
//! after notifications may have been missed. Wakes are never lost: one that comes while the
//! dispatcher is busy is kept for its next wait, and several are merged into one.

use std::sync::{Mutex, PoisonError};

use chrono::{DateTime, Utc};
use tokio::sync::Notify;

/// One tenant's wake-up.
#[derive(Debug, Default)]
pub struct Wake {
    notify: Notify,
    pending: Mutex<Woken>,
}

/// What happened since the dispatcher last waited.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct Woken {
    /// The earliest due time of the messages queued meanwhile.
    pub earliest: Option<DateTime<Utc>>,
    /// Notifications may have been missed: read the outbox again.
    pub resync: bool,
}

impl Wake {
    /// A message due at `due` was queued.
    pub fn queued(&self, due: DateTime<Utc>) {
        self.update(|w| w.earliest = Some(w.earliest.map_or(due, |e| e.min(due))));
    }

    /// Notifications may have been missed.
    pub fn resync(&self) {
        self.update(|w| w.resync = true);
    }

    /// Waits for the next wake-up and takes what it carries.
    pub async fn wait(&self) -> Woken {
        self.notify.notified().await;
        std::mem::take(&mut *self.pending.lock().unwrap_or_else(PoisonError::into_inner))
    }

    fn update(&self, change: impl FnOnce(&mut Woken)) {
        change(&mut self.pending.lock().unwrap_or_else(PoisonError::into_inner));
        // One stored permit: a wake while nobody waits is kept for the next wait.
        self.notify.notify_one();
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use chrono::TimeZone as _;

    use super::*;

    #[tokio::test]
    async fn wakes_while_busy_are_kept_and_merged() {
        let wake = Wake::default();
        let at = |h| Utc.with_ymd_and_hms(2026, 1, 1, h, 0, 0).unwrap();
        wake.queued(at(12));
        wake.queued(at(9));
        wake.resync();
        let woken = tokio::time::timeout(Duration::from_secs(1), wake.wait())
            .await
            .unwrap();
        assert_eq!(
            woken,
            Woken {
                earliest: Some(at(9)),
                resync: true
            }
        );
        // Taken: the next wait waits.
        assert!(
            tokio::time::timeout(Duration::from_millis(50), wake.wait())
                .await
                .is_err()
        );
    }
}
