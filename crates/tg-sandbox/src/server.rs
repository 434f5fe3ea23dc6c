//! Serving: the router, [`run`] on a bound listener, and [`spawn`] for tests.

use std::{future::Future, net::SocketAddr, sync::Arc};

use axum::{
    Router,
    extract::State,
    http::header,
    response::{Html, IntoResponse},
    routing::get,
    serve::ListenerExt,
};
use telemetry::Shutdown;
use tokio::{net::TcpListener, task::JoinHandle};

use crate::{
    bot_api,
    client::SandboxClient,
    config::Config,
    control,
    state::{Sandbox, Shared},
};

/// The web chat page, embedded so the binary serves it with no build step.
const INDEX_HTML: &str = include_str!("web/index.html");

async fn index() -> impl IntoResponse {
    Html(INDEX_HTML)
}

/// `/metrics` in Prometheus' text format.
async fn metrics(State(sb): State<Shared>) -> impl IntoResponse {
    let (requests, flood_hits, bots, users, created, delivered, pending, webhook_failures) = sb
        .with(|w| {
            let sum =
                |f: &dyn Fn(&crate::state::BotState) -> u64| w.bots.values().map(f).sum::<u64>();
            (
                w.requests,
                w.flood_hits,
                w.bots.len(),
                w.users.len(),
                sum(&|b| b.counters.updates_created),
                sum(&|b| b.counters.updates_delivered),
                sum(&|b| b.queue.len() as u64),
                sum(&|b| b.counters.webhook_failures),
            )
        });
    let body = format!(
        "# TYPE tg_sandbox_requests_total counter\ntg_sandbox_requests_total {requests}\n\
         # TYPE tg_sandbox_flood_hits_total counter\ntg_sandbox_flood_hits_total {flood_hits}\n\
         # TYPE tg_sandbox_updates_created_total counter\ntg_sandbox_updates_created_total {created}\n\
         # TYPE tg_sandbox_updates_delivered_total counter\ntg_sandbox_updates_delivered_total {delivered}\n\
         # TYPE tg_sandbox_webhook_failures_total counter\ntg_sandbox_webhook_failures_total {webhook_failures}\n\
         # TYPE tg_sandbox_pending_updates gauge\ntg_sandbox_pending_updates {pending}\n\
         # TYPE tg_sandbox_bots gauge\ntg_sandbox_bots {bots}\n\
         # TYPE tg_sandbox_users gauge\ntg_sandbox_users {users}\n"
    );
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], body)
}

/// The whole HTTP surface over one sandbox state.
pub fn router(sb: Shared) -> Router {
    Router::new()
        .route("/", get(index))
        // The operational endpoints every binary of the platform serves.
        .route("/health", get(|| async { "ok" }))
        .route("/ready", get(|| async { "ok" }))
        .route("/metrics", get(metrics))
        .merge(control::routes())
        .fallback(bot_api::handle)
        .with_state(sb)
}

/// Serves the sandbox on `listener` until `shutdown` resolves, with `config.bots` registered.
///
/// Long polls and webhook deliveries end as soon as shutdown starts, so it does not wait for them.
pub async fn run(
    listener: TcpListener,
    config: Config,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let stop = Shutdown::from_signal(shutdown);
    let bots = config.bots.clone();
    let sb = Arc::new(Sandbox::new(config, stop.clone()));
    for bot in bots {
        let username = bot.username.clone();
        sb.with(|w| w.create_bot(bot)).map_err(|err| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!("bot @{username}: {err}"),
            )
        })?;
        tracing::info!(%username, "registered bot");
    }
    let app = router(sb);
    let listener = listener.tap_io(|tcp| {
        // Small JSON answers on keep-alive connections would otherwise wait for delayed ACKs.
        if let Err(err) = tcp.set_nodelay(true) {
            tracing::trace!(%err, "could not set TCP_NODELAY");
        }
    });
    let served = axum::serve(listener, app)
        .with_graceful_shutdown(stop.wait())
        .await;
    // Long polls and webhook tasks end with the server, also when it failed.
    stop.trigger();
    served
}

/// A sandbox running in this process on 127.0.0.1 and a free port.
///
/// Dropping the handle stops the server; [`SandboxHandle::shutdown`] also waits for it.
#[derive(Debug)]
pub struct SandboxHandle {
    addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
    client: SandboxClient,
}

/// Starts a sandbox on 127.0.0.1 with a port the OS picks.
pub async fn spawn(config: Config) -> std::io::Result<SandboxHandle> {
    let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
    let addr = listener.local_addr()?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(run(listener, config, async move {
        let _ = stopped.await;
    }));
    let client = SandboxClient::new(&format!("http://{addr}/"))
        .map_err(|err| std::io::Error::other(err.to_string()))?;
    Ok(SandboxHandle {
        addr,
        stop: Some(stop),
        task: Some(task),
        client,
    })
}

impl SandboxHandle {
    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The base URL, e.g. `http://127.0.0.1:40123/`.
    pub fn url(&self) -> reqwest::Url {
        self.client.base_url().clone()
    }

    /// A client for the control API.
    pub fn client(&self) -> SandboxClient {
        self.client.clone()
    }

    /// Stops the server and waits until it has stopped.
    pub async fn shutdown(mut self) -> std::io::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match self.task.take() {
            Some(task) => task.await.map_err(std::io::Error::other)?,
            None => Ok(()),
        }
    }
}

impl Drop for SandboxHandle {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
