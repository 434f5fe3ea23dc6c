//! Everything a customer's step needs about the update it answers: the tenant context, the
//! customer's session, the dialogue and its state.

use booking_core::{booking::Actor, ids::BookingId};
use std::sync::{Arc, Mutex, PoisonError};
use storage::{
    TenantReads, TenantTx,
    reads::Reading,
    tenant::bookings::service::{self, Caller, Cancellation},
};

use bot_kit::{Gate, Sender, TgBot};
use teloxide::types::{Update, User};

use super::{
    entry::{apology, report},
    session::Session,
    state::{Dlg, State},
};
use crate::{
    error::BotError,
    runtime::{
        app::App,
        context::Cx,
        dialogue_storage::TenantDialogues,
        rate_limit::{Prefetched, chat_of},
    },
    texts::Texts,
};

/// The transaction the session was read in, handed to the step's first [`Cx::tx`]: the
/// step reads on where the session left off, and a press costs one `BEGIN`, one scope and one
/// `COMMIT` instead of two each. Only a transaction that wrote nothing is handed on (a new
/// customer is committed at once), so one a step never takes is rolled back losing nothing.
#[derive(Clone, Default)]
pub struct Open(Arc<Mutex<Option<TenantTx>>>);

impl Open {
    fn new(tx: Option<TenantTx>) -> Self {
        Self(Arc::new(Mutex::new(tx)))
    }

    fn take(&self) -> Option<TenantTx> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).take()
    }

    /// Rolls back a transaction no step took (it wrote nothing), so its connection goes back
    /// to the pool before the answer is sent rather than when the update's handling ends.
    pub fn close(&self) {
        drop(self.take());
    }
}

impl std::fmt::Debug for Open {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Open")
    }
}

impl Cx<'_, Visit> {
    /// The same update, with a step acting on `state` instead (one step leading straight into
    /// another).
    #[must_use]
    pub fn with_state(&self, state: State) -> Self {
        Cx {
            app: self.app,
            bot: self.bot,
            chat: self.chat,
            user: self.user,
            locale: self.locale,
            who: Visit {
                state,
                ..self.who.clone()
            },
        }
    }

    #[must_use]
    pub const fn texts(&self) -> &Texts {
        &self.who.session.texts
    }

    #[must_use]
    pub fn actor(&self) -> Actor {
        Actor::Customer(self.sender())
    }

    /// A transaction in the tenant's schema: the one the session was read in, if no step took
    /// it yet.
    pub async fn tx(&self) -> Result<TenantTx, BotError> {
        match self.who.open.take() {
            Some(tx) => Ok(tx),
            None => self.app.tx().await,
        }
    }

    /// Reads that write nothing, for a screen: in the transaction the session was read in if
    /// no step took it, else without a transaction of their own where the bot's connections
    /// allow it (`storage::reads`), tried again on another connection if one was found dead.
    pub async fn read<'c, T>(
        &self,
        mut read: impl FnMut(TenantReads) -> Reading<'c, T, BotError>,
    ) -> Result<T, BotError> {
        match self.who.open.take() {
            Some(tx) => {
                let (reads, value) = read(TenantReads::from(tx)).await;
                let value = value?;
                reads.close().await?;
                Ok(value)
            }
            None => self.app.db.read(&self.app.schema, read).await,
        }
    }

    /// Stores the next state; one equal to the state the update found is not written again
    /// (its expiry then runs from the last change, a week, which only an idle dialogue meets).
    pub async fn set_state(&self, state: State) -> Result<(), BotError> {
        if state == self.who.found {
            return Ok(());
        }
        Ok(self.who.dialogue.update(state).await?)
    }

    /// Gives back a slot held on the confirm screen the customer is leaving, so it does not
    /// count against them or block others until it lapses.
    pub async fn release_hold(&self, tx: &mut TenantTx) -> Result<(), BotError> {
        if let State::Confirming { hold, .. } = self.who.state {
            release(self, tx, hold).await?;
        }
        Ok(())
    }

    /// [`Cx::release_hold`] in a transaction of its own, opened only when there is a hold.
    pub async fn release_held(&self) -> Result<(), BotError> {
        if let State::Confirming { hold, .. } = self.who.state {
            let mut tx = self.tx().await?;
            release(self, &mut tx, hold).await?;
            tx.commit().await?;
        }
        Ok(())
    }
}

async fn release(cx: &Cx<'_, Visit>, tx: &mut TenantTx, hold: BookingId) -> Result<(), BotError> {
    let result = service::cancel(
        tx,
        hold,
        &Caller::customer(cx.actor(), cx.who.session.customer.id),
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

/// What a customer is to the business during one update ([`Cx`]'s `Who` for customer steps),
/// loaded once per update ([`load`]): the session and the dialogue with its state.
#[derive(Clone, Debug)]
pub struct Visit {
    pub session: Session,
    pub dialogue: Dlg,
    /// The state the step acts on (a step may hand another one a state of its own making).
    pub state: State,
    /// The state as stored when the update arrived.
    pub found: State,
    /// The transaction the session was read in, until a step takes it.
    pub open: Open,
}

impl Visit {
    /// The context of a step.
    #[must_use]
    pub fn ctx<'a>(self, app: &'a App, bot: &'a TgBot, user: &'a User) -> Cx<'a, Self> {
        Cx {
            app,
            bot,
            chat: self.dialogue.chat_id(),
            user,
            locale: self.session.texts.locale(),
            who: self,
        }
    }
}

/// The visit, or `None` when it could not be loaded (the update was then answered).
#[derive(Clone, Debug)]
pub struct Loaded(Option<Visit>);

impl Loaded {
    /// Stops an update whose visit could not be loaded with the apology.
    #[must_use]
    pub fn gate(&self, sender: &Sender) -> Gate {
        match self.0 {
            Some(_) => Gate::Pass,
            None => Gate::Stop(apology(&sender.0)),
        }
    }

    #[must_use]
    pub fn visit(self) -> Option<Visit> {
        self.0
    }
}

/// The customer's step of the handler tree, once per update: the session from PostgreSQL and
/// the dialogue state the rate limit's round trip to Redis already read (read here only if
/// that failed). A failure is logged here and answered by the gate after it.
pub async fn load(update: Update, sender: Sender, app: Arc<App>, prefetched: Prefetched) -> Loaded {
    let chat = chat_of(&update, &sender);
    let loaded = async {
        let (session, open) = Session::load(&app, &sender.0).await?;
        let dialogue = Dlg::new(app.dialogues.clone(), chat);
        let state = match prefetched.dialogue {
            Some(stored) => stored
                .and_then(|json| TenantDialogues::parse(chat, &json))
                .unwrap_or_default(),
            None => dialogue.get_or_default().await?,
        };
        Ok::<_, BotError>(Visit {
            session,
            dialogue,
            found: state.clone(),
            state,
            open: Open::new(open),
        })
    }
    .await;
    match loaded {
        Ok(visit) => Loaded(Some(visit)),
        Err(e) => {
            if let Err(e) = report(e) {
                tracing::error!(error = ?e, "loading the customer's session");
            }
            Loaded(None)
        }
    }
}
