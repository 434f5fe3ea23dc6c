//! One connection per process listens for what the database announces to the bots, whichever
//! process caused it: messages queued in a tenant's outbox (which wake its dispatcher) and
//! changes of a tenant's configuration (which refresh what the bot holds in memory). Each
//! notification is routed to the tenant it names; a tenant this process does not serve is
//! ignored. After the connection was lost, notifications may have been missed, so every
//! tenant reads again what it holds.

use std::{
    collections::HashMap,
    future::Future,
    sync::{Arc, PoisonError, RwLock},
    time::Duration,
};

use booking_core::ids::TenantId;
use sqlx::postgres::{PgListener, PgNotification};
use storage::{
    Db,
    tenant::{
        changes::{self, Changed, Part},
        outbox::{self, Queued},
    },
};

use crate::runtime::app::App;

/// After the connection could not be made, how long before trying again.
const RECONNECT: Duration = Duration::from_secs(2);

/// The tenants this process serves, by id: one for a dedicated bot, many for a host.
#[derive(Clone, Debug, Default)]
pub struct Served(Arc<RwLock<HashMap<TenantId, Arc<App>>>>);

impl Served {
    pub fn insert(&self, app: Arc<App>) {
        self.write().insert(app.tenant, app);
    }

    pub fn remove(&self, tenant: TenantId) -> Option<Arc<App>> {
        self.write().remove(&tenant)
    }

    #[must_use]
    pub fn get(&self, tenant: TenantId) -> Option<Arc<App>> {
        self.read().get(&tenant).cloned()
    }

    #[must_use]
    pub fn all(&self) -> Vec<Arc<App>> {
        self.read().values().cloned().collect()
    }

    #[must_use]
    pub fn len(&self) -> usize {
        self.read().len()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.read().is_empty()
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, HashMap<TenantId, Arc<App>>> {
        self.0.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, HashMap<TenantId, Arc<App>>> {
        self.0.write().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Listens on `db` until `stop` resolves, routing to `served`.
pub async fn run(db: Db, served: Served, stop: impl Future<Output = ()> + Send) {
    tokio::pin!(stop);
    loop {
        let listener = async {
            let mut listener = PgListener::connect_with(db.pool()).await?;
            listener
                .listen_all([outbox::CHANNEL, changes::CHANNEL])
                .await?;
            Ok::<_, sqlx::Error>(listener)
        };
        let mut listener = tokio::select! {
            () = &mut stop => return,
            made = listener => match made {
                Ok(l) => l,
                Err(e) => {
                    tracing::warn!(error = %e, "listen: cannot connect; will retry");
                    tokio::select! {
                        () = &mut stop => return,
                        () = tokio::time::sleep(RECONNECT) => continue,
                    }
                }
            },
        };
        // Whatever was announced before this connection listened is unknown.
        resync(&served);
        loop {
            let received = tokio::select! {
                () = &mut stop => return,
                received = listener.try_recv() => received,
            };
            match received {
                Ok(Some(note)) => route(&served, &note),
                // The connection dropped; the next call reconnects, and anything announced
                // meanwhile is lost.
                Ok(None) => resync(&served),
                Err(e) => {
                    tracing::warn!(error = %e, "listen: connection lost");
                    break;
                }
            }
        }
    }
}

fn route(served: &Served, note: &PgNotification) {
    match note.channel() {
        outbox::CHANNEL => {
            if let Some(Queued { tenant, due }) = Queued::parse(note.payload())
                && let Some(app) = served.get(tenant)
            {
                app.outbox.queued(due);
            }
        }
        changes::CHANNEL => {
            if let Some(Changed { tenant, part }) = Changed::parse(note.payload())
                && let Some(app) = served.get(tenant)
            {
                changed(&app, part);
            }
        }
        other => tracing::debug!(channel = other, "listen: unexpected channel"),
    }
}

/// Every tenant reads again what it holds.
fn resync(served: &Served) {
    for app in served.all() {
        app.outbox.resync();
        app.customers.forget_all();
        changed(&app, Part::Settings);
    }
}

/// Drops what the bot holds about `part` of the tenant's configuration, or the one customer.
fn changed(app: &Arc<App>, part: Part) {
    if let Part::Customer(id) = part {
        app.customers.forget(id);
        return;
    }
    app.config.drop_held();
    if part == Part::Settings {
        let app = Arc::clone(app);
        tokio::spawn(async move { app.rate_limit.reload(&app.db, &app.schema).await });
    }
}
