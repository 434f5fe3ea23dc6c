//! The business's own people in its bot: owners, admins, and staff members who see their
//! own schedule.

use booking_core::ids::{StaffId, TelegramUserId};
use sqlx::{Row, postgres::PgRow};

use crate::{db::TenantTx, error::StorageError};

/// What an admin may do.
#[derive(Copy, Clone, Eq, PartialEq, Debug)]
pub enum AdminRole {
    Owner,
    Admin,
    /// A staff member: their own bookings only.
    Staff(StaffId),
}

impl AdminRole {
    const fn code(self) -> &'static str {
        match self {
            Self::Owner => "owner",
            Self::Admin => "admin",
            Self::Staff(_) => "staff",
        }
    }

    const fn staff(self) -> Option<StaffId> {
        match self {
            Self::Staff(id) => Some(id),
            Self::Owner | Self::Admin => None,
        }
    }
}

/// One admin.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Admin {
    pub telegram_user_id: TelegramUserId,
    pub role: AdminRole,
    pub name: String,
}

impl Admin {
    /// Whether this admin hears about bookings of `staff`: owners and admins hear of all.
    #[must_use]
    pub fn follows(&self, staff: StaffId) -> bool {
        self.role.staff().is_none_or(|own| own == staff)
    }
}

fn from_row(row: &PgRow) -> Result<Admin, StorageError> {
    let role: String = row.try_get("role")?;
    let staff: Option<i64> = row.try_get("staff_id")?;
    let role = match (role.as_str(), staff) {
        ("owner", _) => AdminRole::Owner,
        ("admin", _) => AdminRole::Admin,
        ("staff", Some(id)) => AdminRole::Staff(StaffId(id)),
        (other, _) => return Err(StorageError::Corrupt(format!("admin role {other:?}"))),
    };
    Ok(Admin {
        telegram_user_id: TelegramUserId(row.try_get("telegram_user_id")?),
        role,
        name: row.try_get("name")?,
    })
}

/// Every admin, owners first.
pub async fn list(tx: &mut TenantTx) -> Result<Vec<Admin>, StorageError> {
    let rows = sqlx::query(
        "select telegram_user_id, role, staff_id, name from admins \
         order by case role when 'owner' then 0 when 'admin' then 1 else 2 end, telegram_user_id",
    )
    .fetch_all(tx.conn())
    .await?;
    rows.iter().map(from_row).collect()
}

/// Adds an admin, or changes the role of an existing one.
pub async fn upsert(
    tx: &mut TenantTx,
    who: TelegramUserId,
    role: AdminRole,
    name: &str,
    added_by: Option<TelegramUserId>,
) -> Result<(), StorageError> {
    sqlx::query(
        "insert into admins (telegram_user_id, role, staff_id, name, added_by) values ($1, $2, $3, $4, $5) \
         on conflict (telegram_user_id) do update set role = excluded.role, staff_id = excluded.staff_id, \
             name = excluded.name",
    )
    .bind(who.get())
    .bind(role.code())
    .bind(role.staff().map(StaffId::get))
    .bind(name)
    .bind(added_by.map(TelegramUserId::get))
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// The admin behind `who`, their row locked against change (`for share`) until the
/// transaction ends: an action taken in it cannot race a demotion or a removal.
pub async fn get_locked(
    tx: &mut TenantTx,
    who: TelegramUserId,
) -> Result<Option<Admin>, StorageError> {
    let row = sqlx::query(
        "select telegram_user_id, role, staff_id, name from admins \
         where telegram_user_id = $1 for share",
    )
    .bind(who.get())
    .fetch_optional(tx.conn())
    .await?;
    row.as_ref().map(from_row).transpose()
}

/// Makes `owner` the bot's owner whatever their role was, and any other owner an admin: the
/// operator's (or the demo's) deliberate change of owner, unlike [`seed_owner`], which keeps
/// a role the business chose. The previous owner keeps the panel, as an admin, so nobody is
/// locked out by a typo in an id.
pub async fn replace_owner(tx: &mut TenantTx, owner: TelegramUserId) -> Result<(), StorageError> {
    sqlx::query("update admins set role = 'admin', staff_id = null where role = 'owner' and telegram_user_id <> $1")
        .bind(owner.get())
        .execute(tx.conn())
        .await?;
    upsert(tx, owner, AdminRole::Owner, "", None).await
}

/// Makes the tenant's owner (from the sale or the operator) the owner in its bot, unless they
/// are an admin there already: provisioning runs again on retries and must not undo a change
/// the business made.
pub async fn seed_owner(tx: &mut TenantTx, owner: TelegramUserId) -> Result<(), StorageError> {
    sqlx::query(
        "insert into admins (telegram_user_id, role, name) values ($1, 'owner', '') \
         on conflict (telegram_user_id) do nothing",
    )
    .bind(owner.get())
    .execute(tx.conn())
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staff_admins_follow_only_their_own_bookings() {
        let admin = |role| Admin {
            telegram_user_id: TelegramUserId(1),
            role,
            name: String::new(),
        };
        assert!(admin(AdminRole::Owner).follows(StaffId(5)));
        assert!(admin(AdminRole::Admin).follows(StaffId(5)));
        assert!(admin(AdminRole::Staff(StaffId(5))).follows(StaffId(5)));
        assert!(!admin(AdminRole::Staff(StaffId(6))).follows(StaffId(5)));
    }
}
