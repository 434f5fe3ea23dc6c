//! The handler tree: every update is first checked against the allowlist (a stranger is
//! refused before anything is read or parsed); an operator's commands, searches and button
//! presses are then routed to small steps that return a screen.

use std::sync::Arc;

use booking_core::ids::TenantId;
use bot_kit::{Gate, Reply, Screen, Sender, middleware::gate, send};
use storage::{
    StorageError,
    control::{deployments, platform_stats, subscriptions, tenant_search, tenants::DesiredState},
};
use teloxide::{
    dispatching::UpdateHandler,
    prelude::*,
    types::{CallbackQuery, Message, User},
};

use crate::{
    actions::{self, ActionError},
    operator_bot::{
        OpBot, Operators,
        callback::{Press, PressError},
        texts::Texts,
        views,
    },
};

/// Tenants per page of the list.
pub const PAGE: i64 = 8;
/// Search results shown at most.
const FOUND: i64 = 10;
/// Deployments shown on a tenant's card.
const DEPLOYMENTS: i64 = 3;
/// Alerts shown on the alerts screen.
const ALERTS: i64 = 10;

/// What can go wrong while handling an update.
#[derive(Debug, thiserror::Error)]
pub enum BotError {
    #[error("storage: {0}")]
    Storage(#[from] StorageError),
    #[error("Bot API: {0}")]
    Telegram(#[from] teloxide::RequestError),
    /// An action refused for a reason the step did not turn into an answer.
    #[error("action: {0}")]
    Action(#[from] ActionError),
}

/// The whole tree: private messages and button presses, operators only.
#[must_use]
pub fn schema() -> UpdateHandler<BotError> {
    let messages = Update::filter_message()
        .filter(|m: Message| m.chat.is_private())
        .chain(operators_only())
        .endpoint(on_message);
    let presses = Update::filter_callback_query()
        .chain(operators_only())
        .endpoint(on_callback);
    dptree::entry().branch(messages).branch(presses)
}

/// Lets operators on, with their texts; a stranger gets the refusal and nothing else (a
/// button press as an alert), before its text or button data is even read.
fn operators_only() -> UpdateHandler<BotError> {
    dptree::filter_map(Sender::of)
        .map(|sender: Sender| Texts(sender.locale()))
        .map(admit)
        .chain(gate())
}

fn admit(sender: Sender, t: Texts, ops: Arc<Operators>) -> Gate {
    let user = sender.id().0;
    if !ops.allowlist.allows(user) {
        tracing::info!(user, "a stranger reached the operator bot; refused");
        return Gate::Stop(Reply::alert(t.refused()));
    }
    ops.remember_language(user, t);
    Gate::Pass
}

fn actor(user: &User) -> String {
    format!("telegram:{}", user.id.0)
}

/// An operator's message: a command, or a search.
async fn on_message(
    bot: OpBot,
    msg: Message,
    ops: Arc<Operators>,
    t: Texts,
) -> Result<(), BotError> {
    let text = msg.text().unwrap_or_default().trim();
    if let Some(("token", rest)) = command(text) {
        // The token must not stay in the chat: the message goes first, whatever follows.
        if let Err(e) = bot.delete_message(msg.chat.id, msg.id).await {
            tracing::warn!(error = %e, "the message with a bot token could not be deleted");
        }
        let who = msg.from.as_ref().map(actor).unwrap_or_default();
        let reply = match replace_token(&ops, t, &who, rest).await {
            Ok(screen) => Reply::from(screen),
            Err(e) => {
                tracing::error!(error = %e, "replacing a bot token failed");
                Reply::text(t.failed())
            }
        };
        send::answer_message(&bot, msg.chat.id, reply).await?;
        return Ok(());
    }
    let reply = match screen_for_text(&ops, t, text).await {
        Ok(screen) => Reply::from(screen),
        Err(e) => {
            tracing::error!(error = %e, "an operator command failed");
            Reply::text(t.failed())
        }
    };
    send::answer_message(&bot, msg.chat.id, reply).await?;
    Ok(())
}

/// Splits `/command@bot rest` into (`command`, `rest`).
fn command(text: &str) -> Option<(&str, &str)> {
    let rest = text.strip_prefix('/')?;
    let (head, tail) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    let name = head.split('@').next().unwrap_or(head);
    Some((name, tail.trim()))
}

async fn screen_for_text(ops: &Operators, t: Texts, text: &str) -> Result<Screen, BotError> {
    match command(text) {
        Some(("tenants", _)) => list(ops, t, 0).await,
        Some(("stats", _)) => stats(ops, t).await,
        Some(("alerts", _)) => alerts(ops, t).await,
        Some(("find", "")) => Ok(Screen::text(t.find_usage())),
        Some(("find", query)) => find(ops, t, query).await,
        Some(("tenant", arg)) => match arg.trim_start_matches('#').parse::<i64>() {
            Ok(id) if id > 0 => details(ops, t, TenantId(id)).await,
            _ => Ok(Screen::text(t.tenant_usage())),
        },
        Some(_) => Ok(views::menu(t)),
        None if text.is_empty() => Ok(views::menu(t)),
        None => find(ops, t, text).await,
    }
}

/// `/token <tenant id> <token>`: the same action as `PUT /tenants/{id}/bot-token`.
async fn replace_token(
    ops: &Operators,
    t: Texts,
    who: &str,
    args: &str,
) -> Result<Screen, BotError> {
    let mut parts = args.split_whitespace();
    let (Some(id), Some(token), None) = (parts.next(), parts.next(), parts.next()) else {
        return Ok(Screen::text(t.token_usage()));
    };
    let Some(id) = id
        .trim_start_matches('#')
        .parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
    else {
        return Ok(Screen::text(t.token_usage()));
    };
    let token = secrecy::SecretString::from(token.to_owned());
    let replaced = actions::replace_bot_token(
        &ops.db,
        ops.data_key.as_ref(),
        &ops.bot_api,
        who,
        TenantId(id),
        &token,
        ops.clock.now(),
    )
    .await;
    let text = match replaced {
        Ok(tenant) => t.token_replaced(
            tenant.bot_username.as_deref().unwrap_or_default(),
            tenant.desired_state == DesiredState::Running,
        ),
        Err(ActionError::NotFound) => t.not_found().to_owned(),
        Err(ActionError::BotRefused) => t.token_refused().to_owned(),
        Err(ActionError::BotInUse(username)) => t.token_in_use(&username),
        Err(ActionError::BotApiUnavailable(_)) => t.token_unchecked().to_owned(),
        Err(ActionError::NoDataKey) => t.token_no_key().to_owned(),
        Err(e) => return Err(e.into()),
    };
    Ok(Screen::text(text))
}

async fn list(ops: &Operators, t: Texts, after: i64) -> Result<Screen, BotError> {
    let after_id = (after > 0).then_some(TenantId(after));
    let mut page = storage::control::tenants::list(ops.db.pool(), after_id, PAGE + 1).await?;
    let more = page.len() > usize::try_from(PAGE).unwrap_or(usize::MAX);
    page.truncate(usize::try_from(PAGE).unwrap_or(usize::MAX));
    Ok(views::list(t, &page, after, more))
}

async fn find(ops: &Operators, t: Texts, query: &str) -> Result<Screen, BotError> {
    // A query is shown back to the operator; keep it short.
    let query: String = query.chars().take(64).collect();
    let found = tenant_search::find(ops.db.pool(), &query, FOUND).await?;
    Ok(views::found(t, &query, &found))
}

async fn details(ops: &Operators, t: Texts, id: TenantId) -> Result<Screen, BotError> {
    let Some(tenant) = storage::control::tenants::get(ops.db.pool(), id).await? else {
        return Ok(Screen::text(t.not_found()));
    };
    let mut conn = ops.db.pool().acquire().await.map_err(StorageError::from)?;
    let sub = subscriptions::get(&mut conn, id).await?;
    drop(conn);
    let latest = deployments::latest(ops.db.pool(), id, DEPLOYMENTS).await?;
    let (wanted, host) = crate::api::deploy::where_it_runs(&ops.db, id).await?;
    let runs = views::Runs {
        wanted,
        overridden: tenant.placement.is_some(),
        host,
    };
    Ok(views::details(t, &tenant, sub.as_ref(), &latest, &runs))
}

async fn stats(ops: &Operators, t: Texts) -> Result<Screen, BotError> {
    let s = platform_stats::collect(ops.db.pool(), ops.clock.now()).await?;
    Ok(views::stats(t, &s))
}

async fn alerts(ops: &Operators, t: Texts) -> Result<Screen, BotError> {
    let latest = storage::control::alerts::recent(ops.db.pool(), ALERTS).await?;
    Ok(views::alerts(t, &latest))
}

/// An operator's button press: parsed strictly, routed, and always answered; the screen is
/// edited in place, with a short notice of what was done.
async fn on_callback(
    bot: OpBot,
    q: CallbackQuery,
    ops: Arc<Operators>,
    t: Texts,
) -> Result<(), BotError> {
    let reply = match q.data.as_deref().unwrap_or_default().parse::<Press>() {
        Err(PressError::OtherVersion | PressError::Malformed) => {
            Ok(Reply::toast(t.outdated_button()))
        }
        Ok(press) => route(&ops, t, &q.from, press).await,
    };
    let reply = reply.unwrap_or_else(|e| {
        tracing::error!(error = %e, "an operator button failed");
        Reply::toast(t.failed())
    });
    send::answer_press(&bot, &q, reply).await?;
    Ok(())
}

async fn route(ops: &Operators, t: Texts, user: &User, press: Press) -> Result<Reply, BotError> {
    let now = ops.clock.now();
    let who = actor(user);
    match press {
        Press::Menu => Ok(Reply::from(views::menu(t))),
        Press::List { after } => Ok(Reply::from(list(ops, t, after).await?)),
        Press::Details(id) => Ok(Reply::from(details(ops, t, id).await?)),
        Press::Stats => Ok(Reply::from(stats(ops, t).await?)),
        Press::Alerts => Ok(Reply::from(alerts(ops, t).await?)),
        Press::Deploy(id) | Press::Stop(id) => {
            let (state, done) = if matches!(press, Press::Deploy(_)) {
                (DesiredState::Running, t.deploy_queued())
            } else {
                (DesiredState::Stopped, t.stop_queued())
            };
            match actions::set_desired_state(&ops.db, &who, id, state, now).await {
                Ok(_) => Ok(Reply::from(details(ops, t, id).await?).with_toast(done)),
                Err(ActionError::NotFound) => Ok(Reply::toast(t.not_found())),
                Err(e) => Err(e.into()),
            }
        }
        Press::Restart(id) => match actions::restart(&ops.db, &who, id, now).await {
            Ok(Some(_)) => {
                Ok(Reply::from(details(ops, t, id).await?).with_toast(t.restart_queued()))
            }
            Ok(None) => Ok(Reply::toast(t.restart_already())),
            Err(ActionError::NotFound) => Ok(Reply::toast(t.not_found())),
            Err(ActionError::NotRunning(_)) => Ok(Reply::toast(t.not_running())),
            Err(e) => Err(e.into()),
        },
        Press::Place(id, placement) => {
            match actions::set_placement(&ops.db, &who, id, placement, now).await {
                Ok(_) => {
                    Ok(Reply::from(details(ops, t, id).await?).with_toast(t.placement_queued()))
                }
                Err(ActionError::NotFound) => Ok(Reply::toast(t.not_found())),
                Err(e) => Err(e.into()),
            }
        }
        Press::ExtendAsk(id, days) => {
            let Some(tenant) = storage::control::tenants::get(ops.db.pool(), id).await? else {
                return Ok(Reply::toast(t.not_found()));
            };
            let mut conn = ops.db.pool().acquire().await.map_err(StorageError::from)?;
            match subscriptions::get(&mut conn, id).await? {
                Some(sub) => Ok(Reply::from(views::extend_confirm(t, &tenant, &sub, days))),
                None => Ok(Reply::toast(t.no_subscription())),
            }
        }
        Press::ExtendDo(id, days) => match actions::extend(&ops.db, &who, id, days, now).await {
            Ok(sub) => Ok(Reply::from(details(ops, t, id).await?)
                .with_toast(t.extended(&views::when(sub.current_period_end)))),
            Err(ActionError::NotFound) => Ok(Reply::toast(t.no_subscription())),
            Err(e) => Err(e.into()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_are_split_from_their_argument_and_bot_name() {
        assert_eq!(
            command("/find  Barber shop "),
            Some(("find", "Barber shop"))
        );
        assert_eq!(command("/tenants@ops_bot"), Some(("tenants", "")));
        assert_eq!(command("Barber"), None);
    }
}
