use std::str::FromStr;

use anyhow::Context as _;
use booking_core::{
    Tz,
    ids::{TelegramUserId, TenantId},
    locale::Locale,
    tenant::TenantSchema,
};
use storage::{
    Db,
    control::tenants::{self, TenantRecord},
    provision::{self, CreateTenant},
};

use crate::api::state::PlatformKeys;

#[derive(Debug, clap::Subcommand)]
pub enum TenantCommand {
    /// Create a tenant: its row, schema, database role and settings.
    Create {
        /// The business's name, as customers see it.
        #[arg(long)]
        name: String,
        /// IANA time zone of the business, such as Europe/Moscow.
        #[arg(long, value_parser = parse_zone)]
        time_zone: Tz,
        #[arg(long, default_value = "ru")]
        locale: Locale,
        /// The owner's Telegram user id (gets the owner role in the bot).
        #[arg(long)]
        owner: Option<i64>,
    },
    /// List tenants.
    List,
    /// Show one tenant.
    Show { id: TenantId },
    /// Delete a suspended, stopped tenant with all its data.
    Delete {
        id: TenantId,
        /// Type the tenant's schema name (tenant_<id>) to confirm.
        #[arg(long)]
        confirm: String,
    },
}

fn parse_zone(s: &str) -> Result<Tz, String> {
    Tz::from_str(s)
        .map_err(|_| format!("{s:?} is not an IANA time zone (for example Europe/Moscow)"))
}

pub async fn run(db: &Db, keys: &PlatformKeys, command: TenantCommand) -> anyhow::Result<()> {
    match command {
        TenantCommand::Create {
            name,
            time_zone,
            locale,
            owner,
        } => {
            let key = keys
                .data_key
                .as_ref()
                .context("DATA_KEY is not set; it seals the tenant's database password")?;
            let name = booking_core::catalogue::checked_name(&name)?;
            let record = provision::create_tenant(
                db,
                key,
                keys.redis_acl.as_ref(),
                &CreateTenant {
                    name,
                    time_zone,
                    locale,
                    owner: owner.map(TelegramUserId),
                    bot: None,
                    actor: "cli".to_owned(),
                },
            )
            .await?;
            let schema = TenantSchema::for_tenant(record.id);
            println!(
                "created tenant {} ({}), schema {schema}, role {}",
                record.id,
                record.name,
                db.tenant_role(&schema)
            );
        }
        TenantCommand::List => {
            let all = tenants::list(db.pool(), None, 10_000).await?;
            println!(
                "{:>6}  {:<16}  {:<9}  {:<20}  NAME",
                "ID", "STATUS", "DESIRED", "TIME ZONE"
            );
            for t in &all {
                println!(
                    "{:>6}  {:<16}  {:<9}  {:<20}  {}",
                    t.id,
                    t.status,
                    t.desired_state,
                    t.time_zone.name(),
                    t.name
                );
            }
            println!("{} tenant(s)", all.len());
        }
        TenantCommand::Show { id } => {
            let t = tenants::get(db.pool(), id)
                .await?
                .with_context(|| format!("no tenant {id}"))?;
            print_tenant(&t);
        }
        TenantCommand::Delete { id, confirm } => {
            let confirm = TenantSchema::parse(&confirm).with_context(|| {
                format!("--confirm must be the tenant's schema name, tenant_{id}")
            })?;
            provision::deprovision_tenant(db, keys.redis_acl.as_ref(), id, &confirm).await?;
            tenants::audit(
                db.pool(),
                "cli",
                "tenant.delete",
                Some(id),
                serde_json::json!({}),
            )
            .await?;
            println!("deleted tenant {id}");
        }
    }
    Ok(())
}

fn print_tenant(t: &TenantRecord) {
    println!("id:              {}", t.id);
    println!("name:            {}", t.name);
    println!("status:          {}", t.status);
    println!("desired state:   {}", t.desired_state);
    println!("time zone:       {}", t.time_zone.name());
    println!("locale:          {}", t.locale);
    println!(
        "owner:           {}",
        t.owner_telegram_id
            .map_or("-".to_owned(), |o| o.to_string())
    );
    println!(
        "bot:             {}",
        t.bot_username.as_deref().unwrap_or("-")
    );
    println!("bot token set:   {}", t.has_bot_token);
    println!(
        "schema version:  {}",
        t.schema_version.map_or("-".to_owned(), |v| v.to_string())
    );
    println!(
        "last error:      {}",
        t.last_error.as_deref().unwrap_or("-")
    );
    println!("created:         {}", t.created_at.to_rfc3339());
}
