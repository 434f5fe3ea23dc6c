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
    /// Loads (or, on first contact, creates) the customer, with the tenant's configuration
    /// (held in memory between updates; read with the customer when it is not). The
    /// transaction it was read in comes back open for the step to go on in, unless it wrote.
    pub async fn load(app: &App, user: &User) -> Result<(Self, Option<TenantTx>), BotError> {
        let mut tx = app.tx().await?;
        let existing = customers::by_telegram(&mut tx, telegram_id(user)).await?;
        let held = app.config.get(&mut tx, app.now()).await?;
        // Someone who blocked the bot and writes again is active again: upsert clears the mark.
        let (customer, open) = match existing.filter(|c| c.blocked_bot_at.is_none()) {
            Some(c) => (c, Some(tx)),
            None => {
                let c = customers::upsert(&mut tx, &profile_of(user), None, app.now()).await?;
                tx.commit().await?;
                (c, None)
            }
        };
        let locale = customer.locale.unwrap_or_else(|| default_locale(user));
        let session = Self {
            customer,
            profile: held.config.profile.clone(),
            texts: Texts::with(locale, Arc::clone(&held.overrides)),
            held,
        };
        Ok((session, open))
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
