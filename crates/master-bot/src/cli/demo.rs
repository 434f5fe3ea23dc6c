//! `demo`: the demo tenant that `scripts/up.sh` shows a new user.
//!
//! Idempotent, so `up.sh` can run it on every start: the tenant is found by its bot (one bot
//! serves one tenant), the catalogue is seeded only while it is empty, and the sample bookings
//! only on a first seeding.

use std::{io::Write as _, path::PathBuf};

use anyhow::Context as _;
use booking_core::{
    Tz,
    booking::Actor,
    catalogue::{Minutes, Price, ServiceTiming},
    ids::{ServiceId, TelegramUserId, TenantId},
    locale::Locale,
    payment::{Deposit, PaymentTerms, Prepayment},
    policy::Rules,
    schedule::{DayPlan, LocalRange, WeeklyHours},
    tenant::TenantSchema,
};
use chrono::{Days, Utc};
use secrecy::{ExposeSecret as _, SecretString};
use storage::{
    Db,
    control::{
        plans::{self, NewPlan},
        tenant_admin,
        tenants::{self, DesiredState},
    },
    crypto::DataKey,
    provision::{self, CreateTenant, CreateTenantError, TenantBot},
    redis_acl::{self, RedisUser},
    tenant::{
        bookings::{model::BookingRequest, service},
        catalogue::{self, NewService},
        catalogue_payment::{self, SetTerms},
        customers::{self, TelegramProfile},
        payments::settings,
        schedule,
    },
};
use telemetry::parse_secret;

use crate::{api::state::PlatformKeys, bot_api::BotApi};

#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// The demo bot's token; the Bot API at TELEGRAM_API_URL must know it.
    #[arg(long, env = "DEMO_BOT_TOKEN", value_parser = parse_secret, hide_env_values = true)]
    bot_token: SecretString,
    /// The owner's Telegram user id: gets the owner role (and /admin) in the demo bot.
    #[arg(long, env = "DEMO_OWNER_ID")]
    owner: Option<i64>,
    /// Writes the demo bot's environment here (mode 0600), to run it as a plain process.
    #[arg(long)]
    env_file: Option<PathBuf>,
    /// Have the deploy worker run the demo bot (desired state running, a reconcile job), for a
    /// machine with a container engine; without it the bot is run as a plain process.
    #[arg(long)]
    deploy: bool,
    /// The Redis the demo bot should use, for the env file (with REDIS_ACL=on, without a
    /// user: the demo tenant's own user is put in).
    #[arg(long, env = "REDIS_URL", default_value = "redis://127.0.0.1:6379",
          value_parser = parse_secret, hide_env_values = true)]
    redis_url: SecretString,
}

const NAME: &str = "Demo Salon";

pub async fn run(
    db: &Db,
    keys: &PlatformKeys,
    bot_api: &BotApi,
    telegram_api_url: &str,
    args: DemoArgs,
) -> anyhow::Result<()> {
    let key = keys
        .data_key
        .as_ref()
        .context("DATA_KEY is not set; it seals the demo tenant's secrets")?;
    let bot = bot_api
        .get_me(&args.bot_token)
        .await
        .context("checking DEMO_BOT_TOKEN with getMe")?;
    let tenant = match tenant_admin::tenant_with_bot(db.pool(), &bot.username).await? {
        Some(id) => id,
        None => create(db, keys, key, &args, &bot.username).await?,
    };
    if let Some(owner) = args.owner {
        // Every run, not only the first: the owner can be set or changed after the demo exists.
        crate::actions::set_owner(db, "cli:demo", tenant, TelegramUserId(owner))
            .await
            .map_err(|e| anyhow::anyhow!("cannot make {owner} the demo's owner: {e}"))?;
    }
    let plans_added = seed_plans(db).await?;
    let seeded = seed(db, tenant, args.owner).await?;
    let prepaid = seed_prepayment(db, key, tenant).await?;
    eprintln!(
        "demo tenant {tenant} (@{}){}{}{}{}",
        bot.username,
        if seeded { ", catalogue seeded" } else { "" },
        if prepaid {
            ", sandbox payments set up"
        } else {
            ""
        },
        args.owner
            .map(|o| format!(", owner {o}"))
            .unwrap_or_default(),
        if plans_added > 0 {
            format!(", {plans_added} plans put on sale")
        } else {
            String::new()
        },
    );
    if args.deploy {
        crate::actions::set_desired_state(db, "cli", tenant, DesiredState::Running, Utc::now())
            .await
            .map_err(|e| anyhow::anyhow!("cannot deploy the demo tenant: {e}"))?;
    }
    if let Some(path) = &args.env_file {
        let secrets = tenants::secrets(db.pool(), key, tenant).await?;
        let password = secrets
            .db_password
            .context("the demo tenant has no database password")?;
        let redis_url = match (&keys.redis_acl, &secrets.redis_password) {
            (Some(_), Some(redis_password)) => redis_acl::url_with_user(
                args.redis_url.expose_secret(),
                &RedisUser::tenant(db, tenant),
                redis_password,
            )?,
            (Some(_), None) => anyhow::bail!(
                "REDIS_ACL is on but the demo tenant has no Redis user: run `master-bot migrate`"
            ),
            (None, _) => args.redis_url.clone(),
        };
        write_env(
            path,
            &BotEnv {
                db,
                tenant,
                password: &password,
                token: &args.bot_token,
                redis_url: &redis_url,
                secrets_key: &key.tenant_secrets_key(tenant).to_base64(),
                telegram_api_url,
            },
        )?;
    }
    println!("{tenant}");
    Ok(())
}

async fn create(
    db: &Db,
    keys: &PlatformKeys,
    key: &DataKey,
    args: &DemoArgs,
    username: &str,
) -> anyhow::Result<TenantId> {
    let record = provision::create_tenant(
        db,
        key,
        keys.redis_acl.as_ref(),
        &CreateTenant {
            name: NAME.to_owned(),
            time_zone: Tz::Europe__Moscow,
            locale: Locale::Ru,
            owner: args.owner.map(TelegramUserId),
            bot: Some(TenantBot {
                username: username.to_owned(),
                token: args.bot_token.clone(),
            }),
            // The demo's own actor, so its tenant is told apart in the audit log.
            actor: "cli:demo".to_owned(),
        },
    )
    .await
    .map_err(|e| match e {
        CreateTenantError::BotTaken(taken) => {
            anyhow::anyhow!("@{} already serves another tenant", taken.0)
        }
        CreateTenantError::Storage(e) => e.into(),
    })?;
    Ok(record.id)
}

/// Plans for the sales bot to sell (its free trial is of the cheapest), unless the platform has
/// any plan at all, retired ones included: an operator's own choice is never added to. The
/// number added.
async fn seed_plans(db: &Db) -> anyhow::Result<usize> {
    if !plans::list(db.pool(), true).await?.is_empty() {
        return Ok(0);
    }
    let mut added = 0;
    for (code, name, rubles, period_days) in
        [("month", "Месяц", 1_990, 30), ("year", "Год", 19_900, 365)]
    {
        let plan = NewPlan {
            code: code.to_owned(),
            name: name.to_owned(),
            price_minor: rubles * 100,
            currency: "RUB".to_owned(),
            period_days,
        };
        // A code taken by a concurrent run is that run's plan: nothing to add.
        if plans::insert(db.pool(), &plan).await?.is_ok() {
            added += 1;
        }
    }
    Ok(added)
}

/// Seeds two staff members, four services, working hours and a few bookings tomorrow, unless
/// the tenant already has services. `true` when it seeded. The bookings are made as the owner
/// would make them in the panel, so the owner is not told of visits they "made" themselves.
async fn seed(db: &Db, tenant: TenantId, owner: Option<i64>) -> anyhow::Result<bool> {
    let actor = owner.map_or(Actor::System, |id| Actor::Admin(TelegramUserId(id)));
    let mut tx = db.tenant(&TenantSchema::for_tenant(tenant)).await?;
    if !catalogue::services(&mut tx, true).await?.is_empty() {
        return Ok(false);
    }
    let mut ids = Vec::new();
    for (order, (name, minutes, rubles)) in [
        ("Стрижка", 60, 1_500),
        ("Стрижка бороды", 30, 800),
        ("Окрашивание", 120, 4_500),
        ("Детская стрижка", 45, 1_000),
    ]
    .into_iter()
    .enumerate()
    {
        let service = catalogue::create_service(
            &mut tx,
            &NewService {
                name: name.to_owned(),
                description: String::new(),
                timing: ServiceTiming::new(
                    Minutes::new(minutes),
                    Minutes::new(30),
                    Minutes::new(0),
                    Minutes::new(0),
                )?,
                price: Price(rubles * 100),
                sort_order: i32::try_from(order)?,
            },
        )
        .await?;
        ids.push(service.id);
    }
    let [haircut, beard, colour, kids]: [ServiceId; 4] = ids
        .try_into()
        .map_err(|_| anyhow::anyhow!("four services"))?;
    let anna = catalogue::create_staff(&mut tx, "Анна", &[haircut, colour, kids]).await?;
    let boris = catalogue::create_staff(&mut tx, "Борис", &[haircut, beard, kids]).await?;
    let day = DayPlan::new(
        vec![LocalRange::parse("10:00-20:00")?],
        vec![LocalRange::parse("14:00-15:00")?],
    )?;
    schedule::set_weekly(
        &mut tx,
        None,
        &WeeklyHours::uniform(&day, &[0, 1, 2, 3, 4, 5]),
    )
    .await?;

    // A few visits tomorrow (or the next working day), booked as the business would.
    let now = Utc::now();
    let zone = Tz::Europe__Moscow;
    let mut date = now.with_timezone(&zone).date_naive();
    let visits = [
        (anna.id, haircut, "11:00", "Мария"),
        (anna.id, colour, "15:00", "Ольга"),
        (boris.id, beard, "12:00", "Иван"),
    ];
    for _ in 0..7 {
        date = date
            .checked_add_days(Days::new(1))
            .context("date overflow")?;
        if date.format("%u").to_string() != "7" {
            break;
        }
    }
    for (n, (staff, service, time, name)) in visits.into_iter().enumerate() {
        let customer = customers::upsert(
            &mut tx,
            &TelegramProfile {
                // Demo customers who are not on Telegram: ids no real account has.
                telegram_user_id: TelegramUserId(-1 - i64::try_from(n)?),
                first_name: name.to_owned(),
                last_name: None,
                username: None,
            },
            Some("demo"),
            now,
        )
        .await?;
        let local = date.and_time(booking_core::schedule::parse_time(time)?);
        let start = local
            .and_local_timezone(zone)
            .single()
            .context("demo time is ambiguous")?
            .with_timezone(&Utc);
        service::book(
            &mut tx,
            &BookingRequest {
                customer: customer.id,
                service,
                staff: Some(staff),
                start,
                source: Some("demo".to_owned()),
                actor,
                rules: Rules::Staff,
            },
            now,
        )
        .await
        .map_err(|e| anyhow::anyhow!("demo booking at {time}: {e}"))?;
    }
    tx.commit().await?;
    Ok(true)
}

/// What a demo bot runs with.
struct BotEnv<'a> {
    db: &'a Db,
    tenant: TenantId,
    password: &'a SecretString,
    token: &'a SecretString,
    redis_url: &'a SecretString,
    /// The tenant's own key: it opens the payment account's provider token.
    secrets_key: &'a SecretString,
    telegram_api_url: &'a str,
}

/// A sandbox provider token (tg-sandbox takes any; a real Bot API refuses it, so the demo
/// against the real Telegram shows the prepayment but cannot take the money).
const SANDBOX_PROVIDER_TOKEN: &str = "381764678:TEST:100500";
/// The demo's service that asks for a deposit, and how much.
const DEPOSIT_SERVICE: &str = "Окрашивание";
const DEPOSIT_PERCENT: u8 = 30;

/// Gives the demo a payment account with a sandbox provider token and asks a 30 % deposit
/// for colouring, so a customer in the web chat meets prepayment. Once: only while the account
/// has no provider token, so an owner's later choices are never undone. `true` when it did.
async fn seed_prepayment(db: &Db, key: &DataKey, tenant: TenantId) -> anyhow::Result<bool> {
    let mut tx = db.tenant(&TenantSchema::for_tenant(tenant)).await?;
    if catalogue_payment::has_provider_token(&mut tx).await? {
        return Ok(false);
    }
    let secrets = key.tenant_secrets_key(tenant);
    settings::set_provider_token(
        &mut tx,
        &secrets,
        Some(&SecretString::from(SANDBOX_PROVIDER_TOKEN)),
    )
    .await?;
    let colouring = catalogue::services(&mut tx, true)
        .await?
        .into_iter()
        .find(|s| s.name == DEPOSIT_SERVICE);
    if let Some(service) = colouring {
        let terms = PaymentTerms {
            prepayment: Prepayment::Deposit(Deposit::Percent(DEPOSIT_PERCENT)),
            ..service.payment
        };
        match catalogue_payment::set_payment_terms(&mut tx, service.id, &terms).await? {
            SetTerms::Done => {}
            other => anyhow::bail!("the demo's deposit was refused: {other:?}"),
        }
    }
    tx.commit().await?;
    Ok(true)
}

/// The same environment the deploy worker gives a tenant's container.
fn write_env(path: &std::path::Path, env: &BotEnv<'_>) -> anyhow::Result<()> {
    let database_url = env.db.tenant_database_url(env.tenant, env.password);
    let mut file = open_private(path)?;
    writeln!(file, "TENANT_ID={}", env.tenant)?;
    writeln!(file, "BOT_TOKEN={}", env.token.expose_secret())?;
    writeln!(file, "DATABASE_URL={}", database_url.expose_secret())?;
    writeln!(file, "REDIS_URL={}", env.redis_url.expose_secret())?;
    writeln!(
        file,
        "TENANT_SECRETS_KEY={}",
        env.secrets_key.expose_secret()
    )?;
    writeln!(file, "TELEGRAM_API_URL={}", env.telegram_api_url)?;
    Ok(())
}

/// Creates (or truncates) a file only its owner can read: it holds secrets.
fn open_private(path: &std::path::Path) -> anyhow::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt as _;
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    // `mode` applies only when the file is created; an older file is narrowed too.
    std::fs::set_permissions(path, std::os::unix::fs::PermissionsExt::from_mode(0o600))?;
    Ok(file)
}
