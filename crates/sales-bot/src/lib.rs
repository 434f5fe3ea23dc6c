//! The sales bot and the YooKassa payment flow: the Telegram conversation that sells a
//! subscription, the payment with a stored Idempotence-Key, the notification webhook,
//! reconciliation, and provisioning the tenant a paid order bought.

/// What every part shares.
pub mod app;
/// The sales conversation in Telegram.
pub mod bot;
/// Making an order's payment.
pub mod checkout;
/// Configuration from the environment.
pub mod config;
/// The crate's error type.
pub mod error;
/// Provisioning, deploying and announcing a paid order's tenant.
pub mod follow_up;
/// Money in minor units and YooKassa's decimal strings.
pub mod money;
/// The scheduled pass over pending and paid orders.
pub mod reconcile;
/// Refunds from notifications.
pub mod refunds;
/// Renewals charged to a saved payment method.
pub mod renewals;
/// Acting on a fetched payment.
pub mod settle;
/// Russian and English texts.
pub mod texts;
/// The notification endpoint.
pub mod webhook;
/// The YooKassa API client.
pub mod yookassa;

use std::{future::Future, net::SocketAddr, sync::Arc, time::Duration};

use anyhow::Context as _;
use booking_core::clock::{SharedClock, SystemClock};
use secrecy::ExposeSecret as _;
use storage::{Db, crypto::DataKey, db::PoolSize, kv::Kv, redis_acl::RedisAcl};
use telemetry::{Readiness, Shutdown, client_ip::Allowlist};
use tokio::net::TcpListener;

pub use config::Config;

use crate::{
    app::{Payments, ReceiptRules, Sales},
    webhook::Webhook,
    yookassa::{RetryPolicy, ShopId, YooKassa},
};

/// Runs the service until `shutdown` resolves, or until the Bot API rejects `BOT_TOKEN`
/// (then everything stops and the error says so).
pub async fn run(
    config: Config,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    run_with(
        config,
        listener,
        shutdown,
        Arc::new(SystemClock),
        RetryPolicy::default(),
    )
    .await
}

/// Builds the shared services from the configuration.
pub fn sales_from(
    config: &Config,
    clock: SharedClock,
    retry: RetryPolicy,
) -> anyhow::Result<Sales> {
    let db = Db::connect_lazy(&config.database_url, PoolSize(10))
        .context("DATABASE_URL is not a valid PostgreSQL URL")?;
    let kv =
        Kv::new(config.redis_url.expose_secret()).context("REDIS_URL is not a valid Redis URL")?;
    let redis_acl = if config.redis_acl {
        let url = config
            .redis_admin_url
            .as_ref()
            .context("REDIS_ACL=on needs REDIS_ADMIN_URL (a Redis user that may manage users)")?;
        Some(RedisAcl::new(url).context("REDIS_ADMIN_URL is not a valid Redis URL")?)
    } else {
        None
    };
    let data_key = DataKey::parse(&config.data_key).context("DATA_KEY")?;
    let bot_api_url: reqwest::Url = config
        .telegram_api_url
        .parse()
        .context("TELEGRAM_API_URL is not a valid URL")?;
    let payments = match (&config.yookassa_shop_id, &config.yookassa_secret_key) {
        (Some(shop), Some(secret)) => Some(Payments {
            yookassa: YooKassa::new(
                &config.yookassa_api_url,
                ShopId(shop.clone()),
                secret.clone(),
                retry,
            )
            .context("YOOKASSA_API_URL is not a valid URL")?,
            return_url: config.yookassa_return_url.clone(),
            test_shop: config.yookassa_test_shop,
            receipt: config.receipt_vat_code.map(|vat_code| ReceiptRules {
                vat_code,
                tax_system: config.receipt_tax_system,
            }),
            save_method: config.yookassa_save_method,
        }),
        (None, None) => {
            tracing::warn!(
                "YOOKASSA_SHOP_ID and YOOKASSA_SECRET_KEY are not set: nothing can be bought"
            );
            None
        }
        _ => anyhow::bail!("set both YOOKASSA_SHOP_ID and YOOKASSA_SECRET_KEY, or neither"),
    };
    let bot = bot_kit::bot::throttled(&config.bot_token, bot_api_url.clone());
    Ok(Sales {
        db,
        kv,
        dialogues: bot::state::DialogueKeys::for_token(config.bot_token.expose_secret()),
        data_key,
        redis_acl,
        payments,
        clock,
        bot,
        bot_api_url,
        demo_bot_url: config.demo_bot_url.clone(),
        trial_days: config.trial_days,
        order_ttl: chrono::Duration::minutes(config.order_ttl_minutes),
    })
}

/// [`run`] with the clock and YooKassa retry policy tests choose.
pub async fn run_with(
    config: Config,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
    clock: SharedClock,
    retry: RetryPolicy,
) -> anyhow::Result<()> {
    let allowed = Allowlist::parse(&config.yookassa_allowed_ips).context("YOOKASSA_ALLOWED_IPS")?;
    let proxies = Allowlist::parse(&config.trusted_proxies).context("TRUSTED_PROXIES")?;
    let sales = Arc::new(sales_from(&config, clock, retry)?);
    let readiness = {
        let (db, kv) = (sales.db.clone(), sales.kv.clone());
        Readiness::new()
            .with("postgres", move || {
                let db = db.clone();
                async move { db.ping().await.map_err(|e| format!("{e:#}")) }
            })
            .with("redis", move || {
                let kv = kv.clone();
                async move { kv.ping().await.map_err(|e| format!("{e:#}")) }
            })
    };
    let router = telemetry::ops::with_request_metrics(
        telemetry::ops_router(readiness, telemetry::tracing_init::prometheus()).merge(
            webhook::router(Webhook {
                sales: Arc::clone(&sales),
                allowed,
                proxies,
            }),
        ),
    );

    // Whichever ends first stops the rest: the signal, the server failing, or a rejected token.
    let stop = Shutdown::from_signal(shutdown);
    let reconciling = tokio::spawn(reconcile::run(
        Arc::clone(&sales),
        Duration::from_secs(config.reconcile_secs),
        stop.wait(),
    ));
    let telegram = tokio::spawn({
        let (sales, stop) = (Arc::clone(&sales), stop.clone());
        async move {
            let polled = bot::run(sales, stop.clone()).await;
            stop.trigger();
            polled
        }
    });
    // The source address of a notification is one of its two checks: the server hands it in.
    let served = axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(stop.wait())
    .await;
    stop.trigger();
    if let Err(e) = reconciling.await {
        tracing::error!(error = %e, "the reconciliation loop failed");
    }
    match telegram.await {
        Ok(polled) => polled?,
        Err(e) => tracing::error!(error = %e, "the Telegram task failed"),
    }
    served?;
    tracing::info!("stopped");
    Ok(())
}
