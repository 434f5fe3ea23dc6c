//! Commands and typed messages: where a customer's update (past the rate limit, see the tree)
//! enters the flows, gets its context, and is answered (or apologised to when storage is
//! down).

use bot_kit::TgBot;
use std::sync::Arc;

use booking_core::{locale::Locale, phone::Phone};
use storage::tenant::customers;
use teloxide::{
    types::{BotCommand, ChatId, ChatMemberUpdated, Message, User},
    utils::command::BotCommands,
};

use super::{
    booking, context::Visit, deep_link, keyboards, my_bookings, start, state::State, visit,
};
use crate::{
    error::BotError,
    runtime::{
        app::App,
        telegram::{default_locale, telegram_id},
    },
    texts::{Key, Texts},
};
use bot_kit::{Reply, send};

/// The commands customers can type.
#[derive(BotCommands, Clone, Debug)]
#[command(rename_rule = "lowercase")]
pub enum Command {
    /// The main menu; a deep-link payload (`/start promo_x`) is recorded as the source.
    Start(String),
    Book,
    My,
    About,
    Help,
    Language,
    /// Share the phone number (a first visit may have skipped it).
    Phone,
}

pub async fn on_command(
    bot: TgBot,
    msg: Message,
    cmd: Command,
    app: Arc<App>,
    loaded: Visit,
) -> Result<(), BotError> {
    let Some(user) = msg.from.as_ref() else {
        return Ok(());
    };
    let chat = msg.chat.id;
    let source = match &cmd {
        Command::Start(payload) => deep_link::DeepLink::parse(payload).source,
        _ => None,
    };
    let open = loaded.open.clone();
    let result = async {
        let mut cx = loaded.ctx(&app, &bot, user);
        if let Some(source) = &source {
            let mut tx = cx.tx().await?;
            cx.who
                .session
                .record_source(&mut tx, &app, user, source)
                .await?;
            tx.commit().await?;
        }
        match cmd {
            Command::Start(payload) => {
                let mut reply = deep_link::start(&cx, &payload).await?;
                if let Some(note) = crate::admin::setup::start_note(&app, &bot, user).await? {
                    reply.others.push(bot_kit::Outgoing {
                        chat,
                        text: note,
                        markup: None,
                    });
                }
                Ok(reply)
            }
            Command::Book => booking::services(&cx).await,
            Command::My => my_bookings::list(&cx, None).await,
            Command::About => start::about(&cx).await,
            Command::Help => start::help(&cx).await,
            Command::Language => Ok(start::language_screen(&cx)),
            Command::Phone => Ok(start::ask_phone(&cx)),
        }
    }
    .await;
    open.close();
    send(&bot, chat, user, result).await
}

#[tracing::instrument(skip_all, fields(tenant = %app.tenant, chat = %msg.chat.id))]
pub async fn on_text(
    bot: TgBot,
    msg: Message,
    app: Arc<App>,
    loaded: Visit,
) -> Result<(), BotError> {
    let Some(user) = msg.from.as_ref() else {
        return Ok(());
    };
    let chat = msg.chat.id;
    let open = loaded.open.clone();
    let result = async {
        let cx = loaded.ctx(&app, &bot, user);
        let t = cx.texts();
        if msg.text() == Some(t.get(Key::BtnSkipPhone)) {
            return Ok(start::phone_done(&cx, Key::PhoneSkipped));
        }
        if let (State::Commenting { booking }, Some(text)) = (&cx.who.state, msg.text()) {
            return visit::comment(&cx, *booking, text).await;
        }
        Ok(Reply::screen(
            t.get(Key::NotUnderstood),
            keyboards::main_menu(t),
        ))
    }
    .await;
    open.close();
    send(&bot, chat, user, result).await
}

/// Answers a typed message or command with the step's reply (bot-kit's rules), or with the
/// polite apology when storage is down.
pub(super) async fn send(
    bot: &TgBot,
    chat: ChatId,
    user: &User,
    result: Result<Reply, BotError>,
) -> Result<(), BotError> {
    let (reply, error) = match result {
        Ok(reply) => (reply, None),
        Err(e) => (apology(user), Some(e)),
    };
    let sent = send::answer_message(bot, chat, reply)
        .await
        .map_err(BotError::from);
    error.map_or(sent, report)
}

/// A customer blocked the bot: marked, so reminders stop until they write again.
#[tracing::instrument(skip_all, fields(tenant = %app.tenant, user = %update.from.id))]
pub async fn on_membership(update: ChatMemberUpdated, app: Arc<App>) -> Result<(), BotError> {
    if !update.chat.is_private() || !update.new_chat_member.is_banned() {
        return Ok(());
    }
    let result = async {
        let mut tx = app.tx().await?;
        customers::mark_blocked(&mut tx, telegram_id(&update.from), app.now()).await?;
        tx.commit().await?;
        Ok(())
    }
    .await;
    result.or_else(report)
}

/// "Try again in a minute", in the customer's Telegram language (their stored choice may be
/// exactly what could not be read).
pub(super) fn apology(user: &User) -> Reply {
    Reply::alert(Texts::new(default_locale(user)).get(Key::Unavailable))
}

/// An outage is expected and recovers by itself: logged, not raised. Anything else goes to the
/// dispatcher's error handler with its cause chain.
pub(super) fn report(e: BotError) -> Result<(), BotError> {
    if e.is_unavailable() {
        tracing::warn!(error = ?e, "storage unavailable; the customer was asked to retry");
        Ok(())
    } else {
        Err(e)
    }
}

/// A shared contact: saved when it is the customer's own.
#[tracing::instrument(skip_all, fields(tenant = %app.tenant, chat = %msg.chat.id))]
pub async fn on_contact(
    bot: TgBot,
    msg: Message,
    app: Arc<App>,
    loaded: Visit,
) -> Result<(), BotError> {
    let Some(user) = msg.from.as_ref() else {
        return Ok(());
    };
    let chat = msg.chat.id;
    let open = loaded.open.clone();
    let result = async {
        let cx = loaded.ctx(&app, &bot, user);
        let Some(contact) = msg.contact().filter(|c| c.user_id == Some(user.id)) else {
            return Ok(Reply::alert(cx.texts().get(Key::PhoneNotOwn)));
        };
        let mut tx = cx.tx().await?;
        // Stored in one form, so the business's phoned-in bookings find this customer.
        let phone = Phone::parse(&contact.phone_number)
            .map_or_else(|_| contact.phone_number.clone(), |p| p.as_str().to_owned());
        customers::set_phone(&mut tx, cx.who.session.customer.id, &phone).await?;
        tx.commit().await?;
        Ok(start::phone_done(&cx, Key::PhoneSaved))
    }
    .await;
    open.close();
    send(&bot, chat, user, result).await
}

/// The command menu in `locale`.
#[must_use]
pub fn commands(locale: Locale) -> Vec<BotCommand> {
    let t = Texts::new(locale);
    [
        ("start", Key::CmdStart),
        ("book", Key::CmdBook),
        ("my", Key::CmdMy),
        ("about", Key::CmdAbout),
        ("help", Key::CmdHelp),
        ("language", Key::CmdLanguage),
        ("phone", Key::CmdPhone),
    ]
    .into_iter()
    .map(|(command, key)| BotCommand::new(command, t.get(key)))
    .collect()
}
