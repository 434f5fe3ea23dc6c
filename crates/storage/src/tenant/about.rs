//! What the bot's About screen shows besides the services: a few words about the business,
//! the address and contacts (settings keys `about`, `address` and `contacts`, plain strings
//! the admin sets in the panel) and the business's weekly opening hours.

use chrono::NaiveTime;
use sqlx::Row;

use crate::{db::TenantTx, error::StorageError, tenant::settings};

/// Settings keys.
pub const ADDRESS: &str = "address";
pub const CONTACTS: &str = "contacts";
pub const DESCRIPTION: &str = "about";

/// The longest text the panel accepts for any of them (a Telegram message holds 4096).
pub const MAX_CHARS: usize = 1000;

/// The About facts; empty strings are treated as not set.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct About {
    pub description: Option<String>,
    pub address: Option<String>,
    pub contacts: Option<String>,
    /// Per weekday (0 = Monday) the opening ranges, breaks cut out of nothing: as planned.
    pub hours: [Vec<(NaiveTime, NaiveTime)>; 7],
}

pub async fn load(tx: &mut TenantTx) -> Result<About, StorageError> {
    let text = |v: Option<String>| v.filter(|s| !s.trim().is_empty());
    let description = text(settings::get::<String>(tx, DESCRIPTION).await?);
    let address = text(settings::get::<String>(tx, ADDRESS).await?);
    let contacts = text(settings::get::<String>(tx, CONTACTS).await?);
    let rows = sqlx::query(
        "select weekday, starts, ends from working_hours \
         where staff_id is null and kind = 'hours' order by weekday, starts",
    )
    .fetch_all(tx.conn())
    .await?;
    let mut hours: [Vec<(NaiveTime, NaiveTime)>; 7] = Default::default();
    for row in rows {
        let weekday: i16 = row.try_get("weekday")?;
        if let Some(day) = usize::try_from(weekday).ok().and_then(|d| hours.get_mut(d)) {
            day.push((row.try_get("starts")?, row.try_get("ends")?));
        }
    }
    Ok(About {
        description,
        address,
        contacts,
        hours,
    })
}
