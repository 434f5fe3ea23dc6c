//! The business's admin panel in chat: `/admin`, its buttons (`a1:` data) and its typed steps.
//!
//! Every entry point reads the sender's role from the database before anything else, and each
//! step that touches a booking or a block checks that object's staff member against the role,
//! so neither a forged button nor a demoted admin's old one changes anything.

/// Admins: add by id or forwarded message, change roles, remove.
pub mod admins;
/// Analytics reports with PNG charts.
pub mod analytics;
/// Recording admin actions.
pub mod audit;
/// The audit log: pages and the CSV export.
pub mod audit_screen;
/// Blocks, "can't work today".
pub mod availability;
/// Done, no-show, cancel, move; phoned-in bookings.
pub mod booking_actions;
/// Broadcasts: audience, preview, paced sending with live progress, cancel, report.
pub mod broadcast;
/// A staff member's or the business's calendar feed link.
pub mod calendar_feed;
/// Admin button data and its codec.
pub mod callback;
/// Services: create, edit, reorder, switch off.
pub mod catalogue;
/// PNG bar charts.
pub mod chart;
/// Group classes in the day view: one class, its attendees.
pub mod classes;
/// `/admin` in the command menu of admins' chats.
pub mod commands;
/// The currency prices are shown in.
pub mod currency;
/// Bookings and customers as CSV documents.
pub mod export;
/// Working hours and exceptions.
pub mod hours;
/// Typed steps waiting in Redis.
pub mod input;
/// The panel's buttons.
pub mod keyboards;
/// Notes on a visit and on a customer.
pub mod notes;
/// Parsing typed dates, times, periods, phones.
pub mod parse;
/// The wording of refused typed values.
mod parse_errors;
/// «💳 Taking payments»: the provider token, YooKassa's shop, the VAT code (owners only).
pub mod payment_account;
/// A service's prepayment: deposit or full price, time to pay, refunds.
pub mod payment_terms;
/// A phoned-in series: planned, shown, then booked whole.
pub mod phone_series;
/// The booking policy.
pub mod policy;
/// Changes that touch bookings, shown before they are made.
pub mod preview;
/// QR codes of the bot's links, as PNG pictures.
pub mod qr;
/// Refunds to give back by hand or to decide; the money line of a paid booking.
pub mod refunds;
/// Repeat visits: services' intervals and the win-backs.
pub mod repeat_visits;
/// Who may do what.
pub mod roles;
/// The three ways into the panel, each re-reading the sender's role first.
pub mod router;
/// Today, tomorrow, week; a booking's card.
pub mod schedule;
/// Sending a reply through the Bot API.
mod send;
/// The setup checklist, the About lines and the bot's links with their QR codes.
pub mod setup;
/// Staff in the catalogue.
pub mod staff;
/// The wording.
pub mod texts;
/// The Texts screen: every customer text key, its default and override; set and reset.
pub mod texts_screen;
/// Who waits for which day.
pub mod waitlist;

use std::sync::Arc;

use booking_core::locale::Locale;
use teloxide::types::{CallbackQuery, Message, User};

use crate::{
    error::BotError,
    runtime::{app::App, context::Cx, telegram::telegram_id},
};

/// An admin step's own part of the one context type: its transaction re-reads the role.
impl Cx<'_, roles::Acting> {
    /// A transaction in which the acting admin's role is read again and locked until it ends,
    /// so what the step does there is done under the role it was allowed by: a demotion that
    /// lands between the press and the step refuses the step ([`BotError::RoleChanged`]).
    pub async fn tx(&self) -> Result<storage::TenantTx, BotError> {
        let mut tx = self.app.tx().await?;
        match roles::load(&mut tx, self.who.id).await? {
            Some(now) if now.role == self.who.role => Ok(tx),
            _ => Err(BotError::RoleChanged),
        }
    }
}

/// The panel speaks the admin's Telegram language.
fn locale_of(user: &User) -> Locale {
    Locale::from_telegram(user.language_code.as_deref())
}

/// The `/admin` command (with or without the bot's name).
#[must_use]
pub fn is_command(msg: Message) -> bool {
    msg.text().is_some_and(|t| {
        let first = t.split_whitespace().next().unwrap_or_default();
        first == "/admin" || first.starts_with("/admin@")
    })
}

/// A press of an admin button (or of something pretending to be one).
#[must_use]
pub fn is_press(q: CallbackQuery) -> bool {
    q.data
        .as_deref()
        .is_some_and(callback::AdminAction::is_admin_data)
}

/// Whether the chat has a typed admin step waiting. Commands never reach here: they keep
/// working in the middle of a step.
pub async fn is_waiting(msg: Message, app: Arc<App>) -> bool {
    if msg.text().is_some_and(|t| t.starts_with('/')) {
        return false;
    }
    matches!(input::get(&app, msg.chat.id).await, Ok(Some(_)))
}

/// The sender of a message as a Telegram user id.
fn sender(user: &User) -> booking_core::ids::TelegramUserId {
    telegram_id(user)
}
