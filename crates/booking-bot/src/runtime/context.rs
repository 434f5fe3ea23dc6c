//! The one context type of a step, for both audiences.

use booking_core::locale::Locale;
use bot_kit::TgBot;
use teloxide::types::{ChatId, User};

use super::{app::App, telegram::telegram_id};

/// Everything a step needs about the update it answers: the tenant, its bot, the chat, the
/// sender and the language the answer is written in, and what the sender is to the business
/// (`Who`): a customer's visit (`customer::context::Visit`: session, dialogue, state) or an
/// admin's role (`admin::roles::Acting`).
///
/// One type for both audiences, so what they share is written once; what only one of them
/// needs (a customer's transaction handed on from the session, an admin's transaction that
/// re-reads the role) is an `impl` block in that audience's module.
pub struct Cx<'a, Who> {
    pub app: &'a App,
    /// The tenant's bot, for what a step asks of Telegram itself (its username for links, the
    /// command menu of an admin's chat).
    pub bot: &'a TgBot,
    pub chat: ChatId,
    pub user: &'a User,
    /// The customer's chosen language, or the admin's Telegram language.
    pub locale: Locale,
    pub who: Who,
}

impl<Who> Cx<'_, Who> {
    /// The text in the answer's language (English first, the crate's one argument order).
    #[must_use]
    pub const fn tr(&self, en: &'static str, ru: &'static str) -> &'static str {
        bot_kit::texts::tr(self.locale, en, ru)
    }

    /// The sender as a Telegram user id.
    #[must_use]
    pub fn sender(&self) -> booking_core::ids::TelegramUserId {
        telegram_id(self.user)
    }
}
