//! Who is writing: the tenant's customer record, their language and the tenant's profile.

use std::sync::Arc;

use storage::{
    TenantTx,
    tenant::{
        config::TenantConfig,
        customers::{self, Customer, TelegramProfile},
        settings::TenantProfile,
    },
};
use teloxide::types::User;

use crate::{
    error::BotError,
    runtime::{
        app::App,
        telegram::{default_locale, telegram_id},
        tenant_config::Held,
    },
    texts::Texts,
};

/// The customer behind an update, loaded once per update.
#[derive(Clone, Debug)]
pub struct Session {
    pub customer: Customer,
    pub profile: TenantProfile,
    pub texts: Texts,
    /// The tenant's configuration the screens are drawn from.
    pub held: Arc<Held>,
}

impl Session {
    /// Loads (or, on first contact, creates) the customer, with the tenant's configuration.
    /// Both are held in memory between updates; when both are held the update reads nothing
    /// and no transaction is opened. Otherwise they are read in one, which comes back open for
    /// the step to go on in, unless it wrote.
    pub async fn load(app: &App, user: &User) -> Result<(Self, Option<TenantTx>), BotError> {
        let id = telegram_id(user);
        if let (Some(customer), Some(held)) = (app.customers.get(id), app.config.peek(app.now())) {
            return Ok((Self::new(customer, held, user), None));
        }
        let reading = app.customers.reading();
        let mut tx = app.tx().await?;
        let existing = customers::by_telegram(&mut tx, id).await?;
        let held = app.config.get(&mut tx, app.now()).await?;
        // Someone who blocked the bot and writes again is active again: upsert clears the mark.
        let (customer, open) = match existing.filter(|c| c.blocked_bot_at.is_none()) {
            Some(c) => {
                app.customers.keep(reading, &c);
                (c, Some(tx))
            }
            None => {
                let c = customers::upsert(&mut tx, &profile_of(user), None, app.now()).await?;
                tx.commit().await?;
                (c, None)
            }
        };
        Ok((Self::new(customer, held, user), open))
    }

    fn new(customer: Customer, held: Arc<Held>, user: &User) -> Self {
        let locale = customer.locale.unwrap_or_else(|| default_locale(user));
        Self {
            customer,
            profile: held.config.profile.clone(),
            texts: Texts::with(locale, Arc::clone(&held.overrides)),
            held,
        }
    }

    /// Records the deep-link payload this visit came with; only a customer's first one sticks.
    pub async fn record_source(
        &mut self,
        tx: &mut TenantTx,
        app: &App,
        user: &User,
        source: &str,
    ) -> Result<(), BotError> {
        self.customer = customers::upsert(tx, &profile_of(user), Some(source), app.now()).await?;
        app.customers.forget(self.customer.telegram_user_id);
        Ok(())
    }

    /// The tenant's configuration as held.
    #[must_use]
    pub fn config(&self) -> &TenantConfig {
        &self.held.config
    }

    /// Whether the customer has not chosen a language yet (a first visit).
    #[must_use]
    pub const fn is_new(&self) -> bool {
        self.customer.locale.is_none()
    }
}

fn profile_of(user: &User) -> TelegramProfile {
    TelegramProfile {
        telegram_user_id: telegram_id(user),
        first_name: user.first_name.clone(),
        last_name: user.last_name.clone(),
        username: user.username.clone(),
    }
}
