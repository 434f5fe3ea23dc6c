//! Updates by webhook: one HTTP listener for every tenant of the host, one path each
//! (`/telegram/<tenant id>`). Telegram's `X-Telegram-Bot-Api-Secret-Token` header must carry
//! the secret the host gave Telegram for that tenant (a fresh random one per assignment,
//! compared in constant time); an unknown tenant or a wrong secret gets nothing. The host sets
//! the webhook when it takes a tenant on and deletes it when the tenant is taken off, so
//! Telegram holds the updates while a tenant moves between hosts.

use std::{
    collections::HashMap,
    net::SocketAddr,
    sync::{Arc, PoisonError, RwLock},
    time::Duration,
};

use axum::{
    Router,
    body::Body,
    extract::{Path, Request, State},
    http::{StatusCode, Uri},
    response::{IntoResponse, Response},
    routing::post,
};
use booking_core::ids::TenantId;
use bot_kit::{TgBot, TokenRejected, bot::TokenSource};
use rand::distr::{Alphanumeric, SampleString as _};
use subtle::ConstantTimeEq as _;
use telemetry::Shutdown;
use teloxide::{
    ApiError, RequestError,
    dispatching::{Dispatcher, UpdateHandler},
    dptree::di::DependencyMap,
    error_handlers::LoggingErrorHandler,
    payloads::SetWebhookSetters as _,
    prelude::Requester as _,
    update_listeners::{UpdateListener, webhooks},
};
use tower::ServiceExt as _;

/// The header Telegram sends the secret in.
const SECRET_HEADER: &str = "x-telegram-bot-api-secret-token";
/// How long a stopping dispatcher may finish the updates in hand.
const GRACE: Duration = Duration::from_secs(3);
/// The first wait after setWebhook failed; it doubles up to a minute.
const FIRST_BACKOFF: Duration = Duration::from_millis(500);

struct Entry {
    secret: String,
    /// teloxide's own handler of one bot's webhook (parses the update, feeds its listener).
    router: Router,
}

/// The webhook paths of a host's tenants.
#[derive(Clone, Default)]
pub struct Webhooks {
    base: Option<reqwest::Url>,
    entries: Arc<RwLock<HashMap<TenantId, Entry>>>,
}

/// Without the secrets.
impl std::fmt::Debug for Webhooks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let open = self
            .entries
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .len();
        f.debug_struct("Webhooks")
            .field("base", &self.base)
            .field("open", &open)
            .finish()
    }
}

impl Webhooks {
    /// Webhooks under `base` (the host's public address), or none (long polling).
    #[must_use]
    pub fn new(base: Option<reqwest::Url>) -> Self {
        Self {
            base,
            entries: Arc::default(),
        }
    }

    /// Whether updates come by webhook.
    #[must_use]
    pub fn enabled(&self) -> bool {
        self.base.is_some()
    }

    /// The route every tenant's webhook comes in on.
    pub fn router(&self) -> Router {
        Router::new()
            .route("/telegram/{tenant_id}", post(deliver))
            .with_state(self.clone())
    }

    /// Opens `tenant`'s path with a fresh secret: the listener its dispatcher reads, and the
    /// URL and secret to give Telegram. `None` when webhooks are off.
    pub fn open(
        &self,
        tenant: TenantId,
    ) -> Option<(
        impl UpdateListener<Err = std::convert::Infallible> + Send + use<>,
        reqwest::Url,
        String,
    )> {
        let base = self.base.as_ref()?;
        let url = base.join(&format!("telegram/{tenant}")).ok()?;
        let secret = Alphanumeric.sample_string(&mut rand::rng(), 48);
        let options = webhooks::Options::new(SocketAddr::from(([127, 0, 0, 1], 0)), url.clone())
            .path("/".to_owned())
            .secret_token(secret.clone());
        let (listener, _stopped, router) = webhooks::axum_no_setup(options);
        write(&self.entries).insert(
            tenant,
            Entry {
                secret: secret.clone(),
                router,
            },
        );
        Some((listener, url, secret))
    }

    /// Closes `tenant`'s path: what Telegram still sends there is refused.
    pub fn close(&self, tenant: TenantId) {
        write(&self.entries).remove(&tenant);
    }
}

async fn deliver(
    State(hooks): State<Webhooks>,
    Path(tenant): Path<i64>,
    request: Request,
) -> Response {
    let presented = request
        .headers()
        .get(SECRET_HEADER)
        .map(|v| v.as_bytes().to_vec())
        .unwrap_or_default();
    let router = {
        let entries = hooks.entries.read().unwrap_or_else(PoisonError::into_inner);
        match entries.get(&TenantId(tenant)) {
            Some(e) if bool::from(presented.ct_eq(e.secret.as_bytes())) => e.router.clone(),
            Some(_) => return StatusCode::UNAUTHORIZED.into_response(),
            None => return StatusCode::NOT_FOUND.into_response(),
        }
    };
    // teloxide's handler serves its bot at "/".
    let (mut parts, body) = request.into_parts();
    parts.uri = Uri::from_static("/");
    match router
        .oneshot(Request::from_parts(parts, Body::new(body)))
        .await
    {
        Ok(response) => response,
        Err(never) => match never {},
    }
}

/// Tells Telegram where to send `bot`'s updates, retrying while the Bot API is unreachable;
/// a rejected token ends it. `None` when `stop` came first.
pub async fn register(
    bot: &TgBot,
    url: reqwest::Url,
    secret: String,
    source: &TokenSource,
    stop: &Shutdown,
) -> Option<Result<(), TokenRejected>> {
    let mut backoff = FIRST_BACKOFF;
    loop {
        let set = stop
            .run_until(bot.set_webhook(url.clone()).secret_token(secret.clone()))
            .await?;
        match set {
            Ok(_) => return Some(Ok(())),
            Err(RequestError::Api(ApiError::InvalidToken)) => {
                return Some(Err(TokenRejected(source.clone())));
            }
            Err(e) => tracing::warn!(error = %e, retry_in = ?backoff, "setWebhook failed"),
        }
        stop.run_until(tokio::time::sleep(backoff)).await?;
        backoff = (backoff * 2).min(Duration::from_secs(60));
    }
}

/// Dispatches the updates of `listener` through `tree` until `stop`, then lets the updates in
/// hand finish for a short grace period.
pub async fn dispatch<E>(
    bot: TgBot,
    tree: UpdateHandler<E>,
    deps: DependencyMap,
    listener: impl UpdateListener<Err = std::convert::Infallible> + Send + 'static,
    stop: Shutdown,
) where
    E: std::fmt::Debug + Send + Sync + 'static,
{
    let mut dispatcher = Dispatcher::builder(bot, bot_kit::panic::isolated(tree))
        .dependencies(deps)
        .default_handler(|_| async {})
        .error_handler(LoggingErrorHandler::with_custom_text("a handler failed"))
        .build();
    let token = dispatcher.shutdown_token();
    let mut running = tokio::spawn(async move {
        dispatcher
            .dispatch_with_listener(
                listener,
                LoggingErrorHandler::with_custom_text("the webhook failed"),
            )
            .await;
    });
    tokio::select! {
        () = stop.wait() => {}
        _ = &mut running => return,
    }
    if let Ok(stopped) = token.shutdown() {
        let _ = tokio::time::timeout(GRACE, stopped).await;
    }
    running.abort();
}

fn write(
    entries: &RwLock<HashMap<TenantId, Entry>>,
) -> std::sync::RwLockWriteGuard<'_, HashMap<TenantId, Entry>> {
    entries.write().unwrap_or_else(PoisonError::into_inner)
}
