//! `/admin` in the command menu of admins' chats alone: Telegram's per-chat command scope, so
//! customers' menus stay as they are. Set for every admin when the bot starts, and again for
//! one when they are added or open the bot; taken back when they are removed.
//!
//! Best effort: a menu that could not be set is logged, and the panel works without it.

use booking_core::{ids::TelegramUserId, locale::Locale};
use bot_kit::TgBot;
use teloxide::{
    RequestError,
    payloads::{DeleteMyCommandsSetters as _, SetMyCommandsSetters as _},
    prelude::Requester as _,
    types::{BotCommand, BotCommandScope, ChatId, Recipient},
};

use super::texts::tr;
use crate::{customer, error::BotError, runtime::app::App};

/// The customer's commands with `/admin` after `/start`.
#[must_use]
pub fn for_admins(locale: Locale) -> Vec<BotCommand> {
    let mut commands = customer::entry::commands(locale);
    let at = usize::from(!commands.is_empty());
    commands.insert(
        at,
        BotCommand::new("admin", tr(locale, "Admin panel", "Админ-панель")),
    );
    commands
}

fn scope(admin: TelegramUserId) -> BotCommandScope {
    BotCommandScope::Chat {
        chat_id: Recipient::Id(ChatId(admin.get())),
    }
}

/// Puts `/admin` in `admin`'s menu, in both languages (Russian as the default, as the
/// bot-wide menu is).
pub async fn show(bot: &TgBot, admin: TelegramUserId) -> Result<(), RequestError> {
    for locale in Locale::ALL {
        let mut set = bot.set_my_commands(for_admins(locale)).scope(scope(admin));
        if locale != Locale::Ru {
            set = set.language_code(locale.code());
        }
        set.await?;
    }
    Ok(())
}

/// Gives `former` back the customers' menu.
pub async fn hide(bot: &TgBot, former: TelegramUserId) -> Result<(), RequestError> {
    for locale in Locale::ALL {
        let mut delete = bot.delete_my_commands().scope(scope(former));
        if locale != Locale::Ru {
            delete = delete.language_code(locale.code());
        }
        delete.await?;
    }
    Ok(())
}

/// [`show`], or a warning in the log.
pub async fn show_or_log(bot: &TgBot, admin: TelegramUserId) {
    if let Err(e) = show(bot, admin).await {
        tracing::warn!(error = %e, "could not put /admin in an admin's command menu");
    }
}

/// [`hide`], or a warning in the log.
pub async fn hide_or_log(bot: &TgBot, former: TelegramUserId) {
    if let Err(e) = hide(bot, former).await {
        tracing::warn!(error = %e, "could not take /admin out of a former admin's menu");
    }
}

/// Every admin's menu, when the bot starts (an admin added while it was down, or by the
/// operator, gets theirs here).
pub async fn show_all(bot: TgBot, app: std::sync::Arc<App>) {
    let admins = async {
        let mut tx = app.tx().await?;
        let list = storage::tenant::admins::list(&mut tx).await?;
        tx.commit().await?;
        Ok::<_, BotError>(list)
    }
    .await;
    match admins {
        Ok(list) => {
            for admin in list {
                show_or_log(&bot, admin.telegram_user_id).await;
            }
        }
        Err(e) => tracing::warn!(error = %e, "could not read the admins for their command menus"),
    }
}
