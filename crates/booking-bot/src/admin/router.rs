//! The three ways into the panel, each re-reading the sender's role first.

use bot_kit::TgBot;
use std::sync::Arc;

use storage::tenant::payments::refunds::Decision;
use teloxide::types::{CallbackQuery, ChatId, Message, User};

use super::{
    admins, analytics, audit_screen, availability, booking_actions, broadcast, calendar_feed,
    callback::AdminAction,
    catalogue, export, hours,
    input::{self, Pending},
    locale_of,
    notes::{self, NoteOn},
    payment_account, payment_terms, phone_series, policy, preview, refunds, repeat_visits, roles,
    schedule, send, sender, setup, staff,
    texts::{refused, tr},
    texts_screen, waitlist,
};
use crate::{
    error::BotError,
    runtime::{app::App, context::Cx},
};
use bot_kit::Reply;
use secrecy::SecretString;

/// The role of `user` right now; `None` for anyone who is not an admin.
async fn acting(app: &App, user: &User) -> Result<Option<roles::Acting>, BotError> {
    let mut tx = app.tx().await?;
    let admin = roles::load(&mut tx, sender(user)).await?;
    tx.commit().await?;
    Ok(admin)
}

fn cx<'a>(
    app: &'a App,
    bot: &'a TgBot,
    admin: roles::Acting,
    chat: ChatId,
    user: &'a User,
) -> Cx<'a, roles::Acting> {
    Cx {
        app,
        bot,
        chat,
        user,
        locale: locale_of(user),
        who: admin,
    }
}

/// `/admin`: the panel for admins, a refusal for anyone else. Leaves any typed step.
#[tracing::instrument(skip_all, fields(tenant = %app.tenant, chat = %msg.chat.id))]
pub async fn on_command(bot: TgBot, msg: Message, app: Arc<App>) -> Result<(), BotError> {
    let Some(user) = msg.from.as_ref() else {
        return Ok(());
    };
    let chat = msg.chat.id;
    let result = async {
        input::clear(&app, chat).await?;
        match acting(&app, user).await? {
            // Until the bot can take bookings, a manager is shown what is still missing.
            Some(admin) if admin.is_manager() => {
                setup::entry(&cx(&app, &bot, admin, chat, user)).await
            }
            Some(admin) => schedule::menu(&cx(&app, &bot, admin, chat, user)).await,
            None => Ok(Reply::alert(refused(locale_of(user)))),
        }
    }
    .await;
    send::message(&bot, chat, user, result).await
}

#[tracing::instrument(skip_all, fields(tenant = %app.tenant, user = %q.from.id, data = ?q.data))]
pub async fn on_callback(bot: TgBot, q: CallbackQuery, app: Arc<App>) -> Result<(), BotError> {
    let chat = q
        .message
        .as_ref()
        .map_or_else(|| ChatId(sender(&q.from).get()), |m| m.chat().id);
    let result = async {
        let l = locale_of(&q.from);
        let Some(admin) = acting(&app, &q.from).await? else {
            return Ok(Reply::alert(refused(l)));
        };
        let Ok(action) = q.data.as_deref().unwrap_or_default().parse::<AdminAction>() else {
            return Ok(Reply::alert(tr(
                l,
                "This button is from another version of the bot; open /admin again.",
                "Эта кнопка устарела; откройте /admin заново.",
            )));
        };
        if !admin.allows(action) {
            return Ok(Reply::alert(refused(l)));
        }
        route(&cx(&app, &bot, admin, chat, &q.from), action).await
    }
    .await;
    // Whatever the press changed (a service, hours, the policy, a text) shows on customers'
    // next screens, before the admin sees the answer; the notification is not waited for.
    app.config.drop_held();
    send::press(&bot, &q, result).await
}

async fn route(cx: &Cx<'_, roles::Acting>, action: AdminAction) -> Result<Reply, BotError> {
    use AdminAction as A;
    match action {
        A::Menu => schedule::menu(cx).await,
        A::Day { staff, date } => schedule::day(cx, staff, date).await,
        A::Week { staff, date } => schedule::week(cx, staff, date).await,
        A::Booking(id) => schedule::card(cx, id).await,
        A::Done(id) => booking_actions::outcome(cx, id, true).await,
        A::NoShow(id) => booking_actions::outcome(cx, id, false).await,
        A::CancelAsk(id) => booking_actions::cancel_ask(cx, id).await,
        A::CancelYes(id) => booking_actions::cancel(cx, id).await,
        A::Move(id) => booking_actions::move_ask(cx, id).await,
        A::NoteBooking(id) => notes::ask(cx, id, NoteOn::Booking).await,
        A::NoteCustomer(id) => notes::ask(cx, id, NoteOn::Customer).await,
        A::PhoneIn => booking_actions::phone_in_services(cx).await,
        A::PhoneInService(s) => booking_actions::phone_in_staff(cx, s).await,
        A::PhoneInStaff(s, st) => booking_actions::phone_in_ask(cx, s, st).await,
        A::PhoneInSeries(instead) => phone_series::book(cx, instead).await,
        A::Availability => availability::menu(cx).await,
        A::Blocks => availability::blocks(cx).await,
        A::Waitlist(page) => waitlist::page(cx, page).await,
        A::BlockNew(staff) => availability::block_ask(cx, staff).await,
        A::Unblock(id) => availability::unblock(cx, id).await,
        A::Hours(staff) => hours::hours_ask(cx, staff).await,
        A::Exception(staff) => hours::exception_ask(cx, staff).await,
        A::Policy => policy::policy_ask(cx).await,
        A::CantWorkAsk(staff) => availability::cant_work_ask(cx, staff).await,
        A::CantWorkYes(staff) => availability::cant_work(cx, staff).await,
        A::Services => catalogue::services(cx).await,
        A::Service(id) => catalogue::service(cx, id).await,
        A::ServiceToggle(id) => catalogue::service_toggle(cx, id).await,
        A::ServiceUp(id) => catalogue::service_up(cx, id).await,
        A::ServiceEdit(id, field) => catalogue::service_edit_ask(cx, id, field).await,
        A::ServiceNew => catalogue::service_new_ask(cx).await,
        A::StaffList => staff::staff_list(cx).await,
        A::StaffItem(id) => staff::staff_item(cx, id).await,
        A::StaffToggle(id) => staff::staff_toggle(cx, id).await,
        A::StaffUp(id) => staff::staff_up(cx, id).await,
        A::StaffRename(id) => staff::staff_rename_ask(cx, id).await,
        A::StaffGives(staff, service) => staff::staff_gives(cx, staff, service).await,
        A::StaffNew => staff::staff_new_ask(cx).await,
        A::Admins => admins::list(cx).await,
        A::AdminItem(id) => admins::item(cx, id).await,
        A::AdminSetRole(id, role) => admins::set_role(cx, id, role).await,
        A::AdminRemoveAsk(id) => admins::remove_ask(cx, id).await,
        A::AdminRemove(id) => admins::remove(cx, id).await,
        A::AdminAdd => admins::add_ask(cx).await,
        A::Audit(page) => audit_screen::page(cx, page).await,
        A::AuditCsv => audit_screen::csv(cx).await,
        A::Exports => export::menu(cx).await,
        A::ExportBookings => export::bookings(cx).await,
        A::ExportCustomers => export::customers(cx).await,
        A::Broadcast => broadcast::audiences(cx).await,
        A::BroadcastSegment(audience) => broadcast::ask(cx, audience).await,
        A::BroadcastSend(id) => broadcast::send(cx, id).await,
        A::BroadcastDrop(id) => broadcast::drop_draft(cx, id).await,
        A::BroadcastStop(id) => broadcast::stop(cx, id).await,
        A::AnalyticsMenu => analytics::menu(cx).await,
        A::Analytics(report) => analytics::report(cx, report).await,
        A::TextsPage(page) => texts_screen::page(cx, page).await,
        A::TextKey(key) => texts_screen::key(cx, key).await,
        A::TextSet(key, locale) => texts_screen::set_ask(cx, key, locale).await,
        A::TextReset(key, locale) => texts_screen::reset(cx, key, locale).await,
        A::Preview(choice) => preview::choose(cx, choice).await,
        A::Setup => setup::checklist(cx).await,
        A::ProfileEdit(field) => setup::profile_ask(cx, field).await,
        A::Links => setup::links(cx).await,
        A::LinkQr(target) => setup::qr(cx, target).await,
        A::Feed(staff) => calendar_feed::show(cx, staff).await,
        A::FeedNew(staff) => calendar_feed::renew(cx, staff).await,
        A::FeedRevoke(staff) => calendar_feed::revoke(cx, staff).await,
        A::Repeat => repeat_visits::menu(cx).await,
        A::RepeatService(service) => repeat_visits::service(cx, service).await,
        A::RepeatSet(service, days) => repeat_visits::set_interval(cx, service, days).await,
        A::WinBackSet(kind, days) => repeat_visits::set_win_back(cx, kind, days).await,
        A::Refunds => refunds::list(cx).await,
        A::RefundDone(id) => refunds::done(cx, id).await,
        A::RefundGive(id) => refunds::decide(cx, id, Decision::GiveBack).await,
        A::RefundKeep(id) => refunds::decide(cx, id, Decision::Keep).await,
        A::ServicePay(service) => payment_terms::screen(cx, service).await,
        A::ServicePaySet(service, choice) => payment_terms::choose(cx, service, choice).await,
        A::PayAccount => payment_account::screen(cx).await,
        A::PayAccountAsk(part) => payment_account::ask(cx, part).await,
        A::PayAccountClear(part) => payment_account::clear(cx, part).await,
        A::PayVatMenu => payment_account::vat_menu(cx).await,
        A::PayVat(code) => payment_account::set_vat(cx, code).await,
    }
}

/// A typed step: the text goes to the step waiting for it, if the sender still may take it.
#[tracing::instrument(skip_all, fields(tenant = %app.tenant, chat = %msg.chat.id))]
pub async fn on_text(bot: TgBot, msg: Message, app: Arc<App>) -> Result<(), BotError> {
    let Some(user) = msg.from.as_ref() else {
        return Ok(());
    };
    let chat = msg.chat.id;
    let result = async {
        let l = locale_of(user);
        let Some(pending) = input::get(&app, chat).await? else {
            return Ok(Reply::default());
        };
        // A secret is gone from the chat before anything else is decided, whoever sent it.
        if let Pending::PaymentAccount { .. } = pending {
            payment_account::forget_message(&bot, chat, msg.id).await;
        }
        let admin = acting(&app, user).await?;
        let allowed = admin.as_ref().is_some_and(|a| match &pending {
            // Checked against the booking's staff member once it is loaded.
            Pending::MoveTo { .. } | Pending::Note { .. } => true,
            Pending::PhoneIn { staff, .. } => a.may_manage(*staff),
            Pending::PhoneInSeries(d) => a.may_manage(d.staff),
            Pending::Block { staff } => a.may_view(*staff),
            Pending::Hours { .. }
            | Pending::Exception { .. }
            | Pending::Policy
            | Pending::ServiceEdit { .. }
            | Pending::ServiceNew
            | Pending::StaffRename { .. }
            | Pending::StaffNew
            | Pending::ServiceDeposit { .. } => a.is_manager(),
            Pending::AdminAdd | Pending::PaymentAccount { .. } => a.is_owner(),
            Pending::BroadcastText { .. } | Pending::TextSet { .. } | Pending::Profile { .. } => {
                a.is_manager()
            }
        });
        let Some(admin) = admin.filter(|_| allowed) else {
            input::clear(&app, chat).await?;
            return Ok(Reply::alert(refused(l)));
        };
        let cx = cx(&app, &bot, admin, chat, user);
        let text = msg.text().unwrap_or_default();
        match pending {
            Pending::MoveTo { booking } => booking_actions::move_to(&cx, booking, text).await,
            Pending::Note { booking, on } => notes::set(&cx, booking, on, text).await,
            Pending::PhoneIn { service, staff } => {
                booking_actions::phone_in(&cx, service, staff, text).await
            }
            Pending::PhoneInSeries(d) => {
                booking_actions::phone_in(&cx, d.service, d.staff, text).await
            }
            Pending::Block { staff } => availability::block(&cx, staff, text).await,
            Pending::Hours { staff } => hours::hours(&cx, staff, text).await,
            Pending::Exception { staff } => hours::exception(&cx, staff, text).await,
            Pending::Policy => policy::policy(&cx, text).await,
            Pending::ServiceEdit { service, field } => {
                catalogue::service_edit(&cx, service, field, text).await
            }
            Pending::ServiceNew => catalogue::service_new(&cx, text).await,
            Pending::StaffRename { staff } => staff::staff_rename(&cx, staff, text).await,
            Pending::StaffNew => staff::staff_new(&cx, text).await,
            Pending::AdminAdd => admins::add(&cx, text, msg.forward_from_user()).await,
            Pending::BroadcastText { audience } => broadcast::preview(&cx, audience, text).await,
            Pending::TextSet { key, locale } => texts_screen::set(&cx, &key, locale, text).await,
            Pending::Profile { field } => setup::profile_set(&cx, field, text).await,
            Pending::ServiceDeposit { service } => {
                payment_terms::set_fixed(&cx, service, text).await
            }
            Pending::PaymentAccount { part } => {
                payment_account::set_typed(&cx, part, SecretString::from(text)).await
            }
        }
    }
    .await;
    // As after a press: a typed change shows on customers' next screens at once.
    app.config.drop_held();
    send::message(&bot, chat, user, result).await
}
