//! What a booking-bot process sets up the same way whether it serves one tenant or a host's
//! many: the clock its rules read "now" from, and the readiness of its database and Redis.

use std::sync::Arc;

use booking_core::clock::{SharedClock, ShiftedClock, SystemClock};
use storage::{Db, kv::Kv};
use telemetry::Readiness;

/// The machine's clock, shifted by `offset_secs` (CLOCK_OFFSET_SECS: staging and tests only,
/// so tomorrow's reminders can be seen today), with a warning when it is.
#[must_use]
pub fn clock(offset_secs: i64) -> SharedClock {
    if offset_secs == 0 {
        return Arc::new(SystemClock);
    }
    tracing::warn!(
        offset_secs,
        "CLOCK_OFFSET_SECS is set: this process runs ahead of (or behind) real time"
    );
    Arc::new(ShiftedClock(chrono::Duration::seconds(offset_secs)))
}

/// `/ready` answers once PostgreSQL and Redis do.
#[must_use]
pub fn readiness(db: &Db, kv: &Kv) -> Readiness {
    let (db, kv) = (db.clone(), kv.clone());
    Readiness::new()
        .with("postgres", move || {
            let db = db.clone();
            async move { db.ping().await.map_err(|e| format!("{e:#}")) }
        })
        .with("redis", move || {
            let kv = kv.clone();
            async move { kv.ping().await.map_err(|e| format!("{e:#}")) }
        })
}
