use anyhow::Context as _;
use booking_core::ids::TenantId;
use secrecy::ExposeSecret as _;
use storage::{
    Db,
    control::{
        api_keys::{self, ApiKeyId, Scope},
        tenants,
    },
};

#[derive(Debug, clap::Subcommand)]
pub enum ApiKeyCommand {
    /// Create a key and print it. It is shown this once; only its hash is stored.
    Create {
        /// A key for the whole platform (the bootstrap key).
        #[arg(long, conflicts_with = "tenant", required_unless_present = "tenant")]
        operator: bool,
        /// A key for this tenant alone.
        #[arg(long)]
        tenant: Option<TenantId>,
        /// What the key is for, as lists show it.
        #[arg(long)]
        name: String,
    },
    /// List keys (never their secrets).
    List,
    /// Revoke a key by id.
    Revoke { id: i64 },
}

pub async fn run(db: &Db, command: ApiKeyCommand) -> anyhow::Result<()> {
    match command {
        ApiKeyCommand::Create { tenant, name, .. } => {
            let scope = match tenant {
                None => Scope::Operator,
                Some(t) => {
                    tenants::get(db.pool(), t)
                        .await?
                        .with_context(|| format!("no tenant {t}"))?;
                    Scope::Tenant(t)
                }
            };
            let (record, key) = api_keys::create(db.pool(), scope, &name).await?;
            tenants::audit(
                db.pool(),
                "cli",
                "api_key.create",
                tenant,
                serde_json::json!({ "api_key_id": record.id, "prefix": record.prefix }),
            )
            .await?;
            eprintln!(
                "created API key {} ({}); it is shown once, store it now:",
                record.id, record.prefix
            );
            println!("{}", key.expose_secret());
        }
        ApiKeyCommand::List => {
            let keys = api_keys::list(db.pool(), None).await?;
            println!(
                "{:>5}  {:<12}  {:<16}  {:<8}  NAME",
                "ID", "PREFIX", "SCOPE", "STATE"
            );
            for k in &keys {
                let scope = match k.scope {
                    Scope::Operator => "operator".to_owned(),
                    Scope::Tenant(t) => format!("tenant {t}"),
                };
                let state = if k.revoked_at.is_some() {
                    "revoked"
                } else {
                    "live"
                };
                println!(
                    "{:>5}  {:<12}  {:<16}  {:<8}  {}",
                    k.id, k.prefix, scope, state, k.name
                );
            }
        }
        ApiKeyCommand::Revoke { id } => {
            let id = ApiKeyId(id);
            anyhow::ensure!(api_keys::revoke(db.pool(), id).await?, "no API key {id}");
            tenants::audit(
                db.pool(),
                "cli",
                "api_key.revoke",
                None,
                serde_json::json!({ "api_key_id": id }),
            )
            .await?;
            println!("revoked API key {id}");
        }
    }
    Ok(())
}
