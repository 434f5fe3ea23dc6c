use indicatif::{ProgressBar, ProgressStyle};
use storage::{
    Db,
    migrate::{self, MigrateProgress},
};

/// Migrates everything, with a progress bar, and fails if any tenant failed.
pub async fn run(db: &Db) -> anyhow::Result<()> {
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} tenants")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_message("migrating");
    let report = migrate::migrate_all(db, |p| match p {
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
    println!(
        "control schema up to date; tenants migrated: {}, failed: {}",
        report.migrated.len(),
        report.failed.len()
    );
    if report.failed.is_empty() {
        Ok(())
    } else {
        anyhow::bail!(
            "{} tenant(s) failed to migrate and are marked migration_failed: {}",
            report.failed.len(),
            report
                .failed
                .iter()
                .map(|(t, _)| t.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )
    }
}
