use indicatif::{ProgressBar, ProgressStyle};
use storage::{Db, migrate::MigrateProgress};

use crate::{api::state::PlatformKeys, upkeep};

/// Migrates everything, with a progress bar, binds sealed values to their place and makes
/// tenants' Redis users (see [`upkeep::run`]); fails if any tenant failed.
pub async fn run(db: &Db, keys: &PlatformKeys) -> anyhow::Result<()> {
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} tenants")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_message("migrating");
    let report = upkeep::run(db, keys, |p| match p {
        MigrateProgress::Started { tenants } => bar.set_length(tenants as u64),
        MigrateProgress::Tenant { tenant, result } => {
            if let Err(e) = result {
                bar.println(format!("tenant {tenant}: FAILED: {e}"));
            }
            bar.inc(1);
        }
    })
    .await?;
    bar.finish_and_clear();
    let migrated = &report.migration;
    println!(
        "control schema up to date; tenants migrated: {}, failed: {}",
        migrated.migrated.len(),
        migrated.failed.len()
    );
    match report.reseal {
        Some(r) if r.done_before => {}
        Some(r) => println!(
            "sealed values bound to their place: {} resealed, {} already bound",
            r.resealed, r.bound
        ),
        None => eprintln!(
            "DATA_KEY is not set: sealed values were not bound to their place; run again with it"
        ),
    }
    if let Some(redis) = &report.redis {
        println!(
            "Redis users: {} tenant(s), {} removed{}",
            redis.tenants,
            redis.removed.len(),
            if redis.sales { ", the sales bot's" } else { "" }
        );
    }
    if migrated.failed.is_empty() {
        Ok(())
    } else {
        anyhow::bail!(
            "{} tenant(s) failed to migrate and are marked migration_failed: {}",
            migrated.failed.len(),
            migrated
                .failed
                .iter()
                .map(|(t, _)| t.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )
    }
}
