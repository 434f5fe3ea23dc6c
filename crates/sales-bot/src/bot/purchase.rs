//! Buying (or trying): business name, time zone, receipt email when receipts are on, and the
//! bot token, checked with getMe against the Bot API before anything is charged. Then the
//! trial starts, or the order is written with its Idempotence-Key and the payment made.

use std::sync::Arc;

use booking_core::{
    Tz,
    catalogue::checked_name,
    ids::{PlanId, TelegramUserId, TenantId},
};
use secrecy::SecretString;
use storage::control::{
    orders::{self, NewOrder, Order},
    plans::{self, Plan},
    renewals, trials,
};
use teloxide::{ApiError, RequestError, prelude::*};

use bot_kit::{Reply, Sender};

use super::{
    callback::Button,
    keyboards, menu,
    state::{self, Purchase, Step},
    zones,
};
use crate::{
    app::{Sales, TgBot},
    checkout,
    error::SalesError,
    follow_up,
    money::Money,
    texts::Texts,
};

/// A typed answer to the question the bot asked.
pub async fn answer(
    sales: &Arc<Sales>,
    bot: &TgBot,
    t: Texts,
    buyer: &Sender,
    msg: &Message,
    step: Step,
    text: &str,
) -> Result<Option<Reply>, SalesError> {
    let chat = msg.chat.id;
    match step {
        Step::Idle => Ok(Some(menu::welcome(t))),
        Step::Name { purchase } => match checked_name(text) {
            Ok(name) => {
                state::save(
                    &sales.kv,
                    &sales.dialogues,
                    chat,
                    &Step::Zone { purchase, name },
                )
                .await?;
                Ok(Some(
                    Reply::message(t.ask_zone()).keyboard(keyboards::zones(t)),
                ))
            }
            Err(_) => Ok(Some(
                Reply::message(t.bad_name()).keyboard(keyboards::cancel(t)),
            )),
        },
        Step::Zone { purchase, name } => match zones::parse(text) {
            Some(zone) => after_zone(sales, t, chat, purchase, name, zone)
                .await
                .map(Some),
            None => Ok(Some(
                Reply::message(t.bad_zone()).keyboard(keyboards::zones(t)),
            )),
        },
        Step::Email {
            purchase,
            name,
            zone,
        } => {
            if !looks_like_email(text) {
                return Ok(Some(
                    Reply::message(t.bad_email()).keyboard(keyboards::cancel(t)),
                ));
            }
            let next = Step::Token {
                purchase,
                name,
                zone,
                email: Some(text.to_owned()),
            };
            state::save(&sales.kv, &sales.dialogues, chat, &next).await?;
            Ok(Some(
                Reply::message(t.ask_token()).keyboard(keyboards::cancel(t)),
            ))
        }
        Step::Token {
            purchase,
            name,
            zone,
            email,
        } => {
            // The token should not stay in the chat history; a failure to delete is harmless.
            let _ = bot.delete_message(chat, msg.id).await;
            let details = Details {
                purchase,
                name,
                zone,
                email,
            };
            token(sales, t, buyer, chat, details, text).await
        }
    }
}

/// "Buy" on a plan: the plan must exist and be on sale, whatever the button said.
pub async fn buy(sales: &Sales, t: Texts, chat: ChatId, plan: PlanId) -> Result<Reply, SalesError> {
    if sales.payments.is_none() {
        return Ok(Reply::message(t.payments_off()).keyboard(keyboards::back(t)));
    }
    match plans::get(sales.db.pool(), plan).await? {
        Some(plan) if plan.active => {
            let step = Step::Name {
                purchase: Purchase::Plan(plan.id),
            };
            state::save(&sales.kv, &sales.dialogues, chat, &step).await?;
            Ok(Reply::message(t.ask_name()).keyboard(keyboards::cancel(t)))
        }
        _ => Ok(Reply::message(t.stale()).keyboard(keyboards::back(t))),
    }
}

/// A zone button; only meaningful while the bot asks for the zone.
pub async fn zone_button(
    sales: &Sales,
    t: Texts,
    chat: ChatId,
    step: Step,
    index: u8,
) -> Result<Option<Reply>, SalesError> {
    match (step, zones::offered(index)) {
        (Step::Zone { purchase, name }, Some(zone)) => {
            after_zone(sales, t, chat, purchase, name, zone)
                .await
                .map(Some)
        }
        _ => Ok(Some(Reply::message(t.stale()))),
    }
}

async fn after_zone(
    sales: &Sales,
    t: Texts,
    chat: ChatId,
    purchase: Purchase,
    name: String,
    zone: Tz,
) -> Result<Reply, SalesError> {
    let zone = zone.name().to_owned();
    let receipts = sales.payments.as_ref().is_some_and(|p| p.receipt.is_some());
    let (next, question) = if receipts && matches!(purchase, Purchase::Plan(_)) {
        (
            Step::Email {
                purchase,
                name,
                zone,
            },
            t.ask_email(),
        )
    } else {
        (
            Step::Token {
                purchase,
                name,
                zone,
                email: None,
            },
            t.ask_token(),
        )
    };
    state::save(&sales.kv, &sales.dialogues, chat, &next).await?;
    Ok(Reply::message(question).keyboard(keyboards::cancel(t)))
}

/// The answers so far.
struct Details {
    purchase: Purchase,
    name: String,
    zone: String,
    email: Option<String>,
}

async fn token(
    sales: &Arc<Sales>,
    t: Texts,
    buyer: &Sender,
    chat: ChatId,
    details: Details,
    text: &str,
) -> Result<Option<Reply>, SalesError> {
    if !looks_like_bot_token(text) {
        // Never repeated back: it may be a real token with a typo.
        return Ok(Some(
            Reply::message(t.bad_token()).keyboard(keyboards::cancel(t)),
        ));
    }
    let token = SecretString::from(text.to_owned());
    let username = match whose_token(sales, &token).await {
        Ok(username) => username,
        Err(TokenCheck::Refused) => {
            return Ok(Some(
                Reply::message(t.token_refused()).keyboard(keyboards::cancel(t)),
            ));
        }
        Err(TokenCheck::Unreachable) => {
            return Ok(Some(
                Reply::message(t.token_unchecked()).keyboard(keyboards::cancel(t)),
            ));
        }
    };
    let buyer = TelegramUserId(buyer.telegram_id());
    if let Purchase::Plan(plan) = details.purchase
        && let Some(tenant) =
            renewals::own_tenant_to_extend(sales.db.pool(), &username, buyer).await?
    {
        // Their own trial (or hand-paid) tenant with this bot: the purchase extends it.
        state::save(&sales.kv, &sales.dialogues, chat, &Step::Idle).await?;
        return extend_own(sales, t, plan, tenant, buyer, &username).await;
    }
    if orders::bot_in_use(sales.db.pool(), &username).await? {
        return Ok(Some(
            Reply::message(t.bot_in_use(&username)).keyboard(keyboards::cancel(t)),
        ));
    }
    let zone = zones::parse(&details.zone).unwrap_or(Tz::Europe__Moscow);
    let plan = match details.purchase {
        Purchase::Plan(id) => plans::get(sales.db.pool(), id).await?.filter(|p| p.active),
        Purchase::Trial => menu::trial_plan(sales).await?,
    };
    let Some(plan) = plan else {
        // The plan was retired while the buyer answered (the menu checks before the first
        // question): say what happened, not "out of date".
        let text = match details.purchase {
            Purchase::Plan(_) => t.plan_gone(),
            Purchase::Trial => t.trial_unavailable(),
        };
        return Ok(Some(Reply::message(text).keyboard(keyboards::back(t))));
    };
    let now = sales.now();
    let new = NewOrder {
        telegram_user: buyer,
        plan: plan.id,
        business_name: details.name,
        time_zone: zone,
        locale: t.locale(),
        bot_username: username.clone(),
        bot_token: token,
        amount_minor: plan.price_minor,
        currency: plan.currency.clone(),
        receipt_email: details.email,
        expires_at: now + sales.order_ttl,
    };
    state::save(&sales.kv, &sales.dialogues, chat, &Step::Idle).await?;
    match details.purchase {
        Purchase::Trial => start_trial(sales, t, &new).await,
        Purchase::Plan(_) => {
            // Written, with its Idempotence-Key, before YooKassa hears of it.
            match checkout::open_order(sales, &new).await? {
                Ok(order) => pay(sales, t, &plan, &order, &username).await.map(Some),
                Err(refused) => Ok(Some(
                    Reply::message(t.too_many_pending(refused.limit)).keyboard(keyboards::back(t)),
                )),
            }
        }
    }
}

/// `/start renew_<tenant>`, the button of the owner's renewal warning: the renewal order of
/// their bot on its plan (the cheapest on sale if that one is retired), straight to payment.
/// Anyone but the tenant's owner is told it is not theirs.
pub async fn renew(
    sales: &Sales,
    t: Texts,
    buyer: TelegramUserId,
    tenant: TenantId,
) -> Result<Option<Reply>, SalesError> {
    if sales.payments.is_none() {
        return Ok(Some(
            Reply::message(t.payments_off()).keyboard(keyboards::back(t)),
        ));
    }
    let Some((username, plan)) = renewals::owned_renewal(sales.db.pool(), tenant, buyer).await?
    else {
        return Ok(Some(
            Reply::message(t.renew_not_yours()).keyboard(keyboards::back(t)),
        ));
    };
    let current = match plan {
        Some(id) => plans::get(sales.db.pool(), id).await?.filter(|p| p.active),
        None => None,
    };
    let plan = match current {
        Some(plan) => Some(plan),
        None => menu::trial_plan(sales).await?,
    };
    let Some(plan) = plan else {
        return Ok(Some(
            Reply::message(t.payments_off()).keyboard(keyboards::back(t)),
        ));
    };
    extend_own(sales, t, plan.id, tenant, buyer, &username).await
}

/// A renewal order of the buyer's own tenant, paid on YooKassa's page (it has no saved method).
async fn extend_own(
    sales: &Sales,
    t: Texts,
    plan: PlanId,
    tenant: TenantId,
    buyer: TelegramUserId,
    username: &str,
) -> Result<Option<Reply>, SalesError> {
    let Some(plan) = plans::get(sales.db.pool(), plan)
        .await?
        .filter(|p| p.active)
    else {
        return Ok(Some(Reply::message(t.stale()).keyboard(keyboards::back(t))));
    };
    let now = sales.now();
    let order = orders::insert_renewal(
        sales.db.pool(),
        tenant,
        buyer,
        plan.id,
        plan.price_minor,
        &plan.currency,
        // The owner chose to pay now: on YooKassa's page, where they see the amount and may
        // use another card than a saved one (which may be the one that just failed).
        None,
        now,
        now + sales.order_ttl,
    )
    .await?;
    pay(sales, t, &plan, &order, username).await.map(Some)
}

async fn start_trial(
    sales: &Arc<Sales>,
    t: Texts,
    new: &NewOrder,
) -> Result<Option<Reply>, SalesError> {
    let started = trials::start(
        sales.db.pool(),
        &sales.data_key,
        new,
        sales.trial_days,
        sales.now(),
    )
    .await?;
    let Some((order, tenant)) = started else {
        return menu::trial_used(sales, t).await.map(Some);
    };
    tracing::info!(%tenant, order = %order.id, "trial started");
    let text = t.trial_started(sales.trial_days);
    let sales = Arc::clone(sales);
    // Told here, before provisioning, so "started" always comes before "starting your bot".
    follow_up::tell(&sales, order.telegram_user, &text).await;
    tokio::spawn(async move {
        if let Err(e) = follow_up::provision_order(&sales, &order).await {
            tracing::error!(order = %order.id, error = %e, "trial provisioning failed; the next pass retries");
        }
    });
    Ok(None)
}

async fn pay(
    sales: &Sales,
    t: Texts,
    plan: &Plan,
    order: &Order,
    username: &str,
) -> Result<Reply, SalesError> {
    let price = Money::new(plan.price_minor, &plan.currency);
    let check = Button::Check(order.id);
    match checkout::ensure_payment(sales, order).await {
        Ok(payment) => {
            let url = payment
                .confirmation
                .and_then(|c| c.confirmation_url)
                .and_then(|u| u.parse().ok());
            let text = t.pay(&plan.name, &price, username);
            Ok(match url {
                Some(url) => {
                    Reply::message(text).keyboard(keyboards::link(t, t.btn_pay(), url, Some(check)))
                }
                None => Reply::message(text).keyboard(keyboards::check(t, check)),
            })
        }
        Err(e) => {
            // The order stays: "check payment" and reconciliation resend with the same key.
            tracing::warn!(order = %order.id, error = %e, "could not create the payment yet");
            Ok(Reply::message(t.payment_failed()).keyboard(keyboards::check(t, check)))
        }
    }
}

enum TokenCheck {
    Refused,
    Unreachable,
}

/// Asks the Bot API whose token this is. Errors are reduced to their kind: teloxide's
/// network errors carry the URL, and the URL carries the token.
async fn whose_token(sales: &Sales, token: &SecretString) -> Result<String, TokenCheck> {
    use secrecy::ExposeSecret as _;
    let bot = teloxide::Bot::new(token.expose_secret()).set_api_url(sales.bot_api_url.clone());
    match bot.get_me().await {
        Ok(me) => me.user.username.clone().ok_or(TokenCheck::Refused),
        Err(RequestError::Api(ApiError::InvalidToken)) => Err(TokenCheck::Refused),
        // Telegram answers 404 "Not Found" to a token of no bot.
        Err(RequestError::Api(ApiError::Unknown(description)))
            if description.contains("Not Found") =>
        {
            Err(TokenCheck::Refused)
        }
        Err(_) => {
            tracing::warn!("getMe for a buyer's token failed");
            Err(TokenCheck::Unreachable)
        }
    }
}

/// `<bot id>:<secret>` as BotFather writes it.
fn looks_like_bot_token(token: &str) -> bool {
    token.split_once(':').is_some_and(|(id, secret)| {
        !id.is_empty()
            && id.len() <= 20
            && id.bytes().all(|b| b.is_ascii_digit())
            && (20..=100).contains(&secret.len())
            && secret
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    })
}

fn looks_like_email(text: &str) -> bool {
    text.len() <= 254
        && !text.contains(char::is_whitespace)
        && text.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_and_emails_are_checked_by_shape() {
        assert!(looks_like_bot_token(
            "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
        ));
        assert!(!looks_like_bot_token("123456789"));
        assert!(!looks_like_bot_token(
            "abc:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
        ));
        assert!(!looks_like_bot_token("123:short"));
        assert!(!looks_like_bot_token(
            "123:AAHdqTcvCH1vGWJxfSeofSAs0K5PAL sa"
        ));
        assert!(looks_like_email("owner@salon.ru"));
        assert!(!looks_like_email("owner@salon"));
        assert!(!looks_like_email("owner salon@x.ru"));
        assert!(!looks_like_email("@x.ru"));
    }
}
