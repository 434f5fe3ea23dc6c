//! Everything a customer's step needs about the update it answers: the tenant context, the
//! customer's session, the dialogue and its state.

use booking_core::{booking::Actor, ids::BookingId};
use storage::{
    TenantTx,
    tenant::bookings::service::{self, Caller, Cancellation},
};
use teloxide::types::{ChatId, User};

use super::{
    session::Session,
    state::{Dlg, State},
};
use crate::{
    error::BotError,
    runtime::{app::App, telegram::telegram_id},
    texts::Texts,
};

/// Everything a step needs about the update.
pub struct Ctx<'a> {
    pub app: &'a App,
    pub session: Session,
    pub dialogue: Dlg,
    pub state: State,
    pub user: &'a User,
}

impl Ctx<'_> {
    #[must_use]
    pub const fn texts(&self) -> &Texts {
        &self.session.texts
    }

    #[must_use]
    pub fn actor(&self) -> Actor {
        Actor::Customer(telegram_id(self.user))
    }

    pub async fn set_state(&self, state: State) -> Result<(), BotError> {
        Ok(self.dialogue.update(state).await?)
    }

    /// Gives back a slot held on the confirm screen the customer is leaving, so it does not
    /// count against them or block others until it lapses.
    pub async fn release_hold(&self, tx: &mut TenantTx) -> Result<(), BotError> {
        if let State::Confirming { hold, .. } = self.state {
            release(self, tx, hold).await?;
        }
        Ok(())
    }
}

async fn release(cx: &Ctx<'_>, tx: &mut TenantTx, hold: BookingId) -> Result<(), BotError> {
    let result = service::cancel(
        tx,
        hold,
        &Caller::customer(cx.actor(), cx.session.customer.id),
        Cancellation {
            reason: Some("left the confirm screen".to_owned()),
            apology: false,
        },
        cx.app.now(),
    )
    .await;
    // Already confirmed, expired or gone: nothing to give back.
    crate::error::split(result)?.ok();
    Ok(())
}

pub async fn context<'a>(
    app: &'a App,
    user: &'a User,
    chat: ChatId,
    source: Option<&str>,
) -> Result<Ctx<'a>, BotError> {
    let session = Session::load(app, user, source).await?;
    let dialogue = Dlg::new(app.dialogues.clone(), chat);
    let state = dialogue.get_or_default().await?;
    Ok(Ctx {
        app,
        session,
        dialogue,
        state,
        user,
    })
}
