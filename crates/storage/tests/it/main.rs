//! Storage against a real PostgreSQL: one fresh database per test.

// Tests may unwrap: a panic is a failed test with its line.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod alerts;
mod bookings;
mod concurrency;
mod consequences;
mod create_tenant;
mod hosts;
mod isolation;
mod jobs;
mod lease;
mod metrics;
mod notifications;
mod placement;
mod provisioning;
mod reads;
mod redis_users;
mod refunds;
mod roles;
mod sealing;
mod seats;

use booking_core::{
    ids::{CustomerId, TelegramUserId, TenantId},
    tenant::TenantSchema,
};
use chrono::{DateTime, TimeZone, Utc};
use secrecy::SecretString;
use storage::{
    Db, TenantTx,
    db::PoolSize,
    tenant::customers::{self, TelegramProfile},
};
use test_support::TestDb;

/// 2026-06-01 is a Monday; 05:00 UTC is 08:00 in Moscow.
pub fn monday_morning() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 1, 5, 0, 0).unwrap()
}

pub fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
}

pub async fn customer(tx: &mut TenantTx, telegram: i64) -> CustomerId {
    customers::upsert(
        tx,
        &TelegramProfile {
            telegram_user_id: TelegramUserId(telegram),
            first_name: format!("Customer {telegram}"),
            last_name: None,
            username: None,
        },
        None,
        monday_morning(),
    )
    .await
    .unwrap()
    .id
}

/// A pool as a tenant's own bot opens it: its role, its connections born in its schema.
pub fn own_pool(
    t: &TestDb,
    tenant: TenantId,
    password: &SecretString,
    size: u32,
) -> (Db, TenantSchema) {
    let schema = TenantSchema::for_tenant(tenant);
    let url = t.tenant_url(t.db.tenant_role(&schema).as_str(), password);
    (
        Db::connect_as_tenant(&url, &schema, PoolSize(size)).unwrap(),
        schema,
    )
}
