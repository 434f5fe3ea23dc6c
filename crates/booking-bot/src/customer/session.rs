//! Who is writing: the tenant's customer record, their language and the tenant's profile.

use std::sync::Arc;

use storage::tenant::{
    customers::{self, Customer, TelegramProfile},
    settings::{self, TenantProfile},
};
use teloxide::types::User;

use crate::{
    error::BotError,
    runtime::{
        app::App,
        telegram::{default_locale, telegram_id},
    },
    texts::{Texts, overrides},
};

/// The customer behind an update, loaded once per update.
#[derive(Clone, Debug)]
pub struct Session {
    pub customer: Customer,
    pub profile: TenantProfile,
    pub texts: Texts,
}

impl Session {
    /// Loads (or, on first contact, creates) the customer. `source` is a deep-link payload to
    /// record; only the first one sticks.
    pub async fn load(app: &App, user: &User, source: Option<&str>) -> Result<Self, BotError> {
        let id = telegram_id(user);
        let mut tx = app.tx().await?;
        let existing = if source.is_some() {
            None
        } else {
            customers::by_telegram(&mut tx, id).await?
        };
        // Someone who blocked the bot and writes again is active again: upsert clears the mark.
        let customer = match existing.filter(|c| c.blocked_bot_at.is_none()) {
            Some(c) => c,
            None => {
                let profile = TelegramProfile {
                    telegram_user_id: id,
                    first_name: user.first_name.clone(),
                    last_name: user.last_name.clone(),
                    username: user.username.clone(),
                };
                customers::upsert(&mut tx, &profile, source, app.now()).await?
            }
        };
        let profile = settings::profile(&mut tx).await?;
        let overrides = overrides::load(&mut tx).await?;
        tx.commit().await?;
        let locale = customer.locale.unwrap_or_else(|| default_locale(user));
        Ok(Self {
            customer,
            profile,
            texts: Texts::with(locale, Arc::new(overrides)),
        })
    }

    /// Whether the customer has not chosen a language yet (a first visit).
    #[must_use]
    pub const fn is_new(&self) -> bool {
        self.customer.locale.is_none()
    }
}
