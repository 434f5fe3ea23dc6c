//! Small helpers every flow uses: names, local times, the "expired" and "refused" answers.

use booking_core::{
    booking::BookingRejection,
    ids::{ServiceId, StaffId},
};
use chrono::{DateTime, Utc};
use storage::{TenantTx, tenant::catalogue};

use super::context::Ctx;
use crate::{customer::screen::Reply, error::BotError, texts::Key};

pub(super) async fn names(
    tx: &mut TenantTx,
    service: ServiceId,
    staff: StaffId,
) -> Result<(String, String), BotError> {
    let service = catalogue::service(tx, service)
        .await?
        .map(|s| s.name)
        .unwrap_or_default();
    let staff = catalogue::staff(tx, true)
        .await?
        .into_iter()
        .find(|s| s.id == staff)
        .map(|s| s.name)
        .unwrap_or_default();
    Ok((service, staff))
}

/// Date and time in the tenant's zone.
pub(super) fn local(cx: &Ctx<'_>, at: DateTime<Utc>) -> (String, String) {
    let local = at.with_timezone(&cx.session.profile.time_zone);
    (
        local.format("%d.%m.%Y").to_string(),
        local.format("%H:%M").to_string(),
    )
}

pub(super) fn expired(cx: &Ctx<'_>) -> Reply {
    Reply::alert(cx.texts().get(Key::ButtonExpired))
}

pub(super) fn rejected(cx: &Ctx<'_>, r: &BookingRejection) -> Reply {
    Reply::alert(cx.texts().rejection(r))
}
