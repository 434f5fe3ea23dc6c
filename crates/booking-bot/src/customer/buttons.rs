//! Button presses: the data is parsed (never trusted), the step runs, the screen is edited in
//! place, and the press is answered whatever happened, so no button keeps spinning.
//!
//! Routing is one `match` over [`CallbackData`] rather than a `case!` branch per variant, so
//! the answer, the outage apology and the follow-up messages live in one place.

use crate::runtime::context::Cx;
use bot_kit::TgBot;
use std::sync::Arc;

use teloxide::types::CallbackQuery;

use super::{
    again, booking, calendar_file,
    context::Visit,
    entry::{apology, report},
    my_bookings, reschedule, series, start, visit, waitlist,
};
use crate::{
    customer::callback::{CallbackData, CallbackError, MenuItem},
    error::BotError,
    runtime::app::App,
    texts::Key,
};
use bot_kit::{Reply, send};

#[tracing::instrument(skip_all, fields(tenant = %app.tenant, user = %q.from.id, data = ?q.data))]
pub async fn on_callback(
    bot: TgBot,
    q: CallbackQuery,
    app: Arc<App>,
    loaded: Visit,
) -> Result<(), BotError> {
    let data = q
        .data
        .as_deref()
        .unwrap_or_default()
        .parse::<CallbackData>();
    let open = loaded.open.clone();
    let result = async {
        let cx = loaded.ctx(&app, &bot, &q.from);
        let t = cx.texts();
        match data {
            Err(CallbackError::UnknownVersion) => Ok(Reply::alert(t.get(Key::ButtonOldVersion))),
            Err(CallbackError::Malformed) => Ok(Reply::alert(t.get(Key::ButtonGarbage))),
            Err(CallbackError::OutOfDate) => Ok(Reply::alert(t.get(Key::ButtonExpired))),
            Ok(data) => route(&cx, data).await,
        }
    }
    .await;
    open.close();
    let (reply, error) = match result {
        Ok(reply) => (reply, None),
        Err(e) => (apology(&q.from), Some(e)),
    };
    // Always answered (bot-kit's rule), whatever the step did.
    let sent = send::answer_press(&bot, &q, reply)
        .await
        .map_err(BotError::from);
    error.map_or(sent, report)
}

async fn route(cx: &Cx<'_, Visit>, data: CallbackData) -> Result<Reply, BotError> {
    use CallbackData as C;
    match data {
        C::Noop => Ok(Reply::nothing()),
        C::Language(locale) => start::choose_language(cx, locale).await,
        C::Menu(MenuItem::Main) => start::menu(cx).await,
        C::Menu(MenuItem::Book) => booking::services(cx).await,
        C::Menu(MenuItem::MyBookings) => my_bookings::list(cx, None).await,
        C::Menu(MenuItem::About) => start::about(cx).await,
        C::Menu(MenuItem::Help) => start::help(cx).await,
        C::Menu(MenuItem::Past) => my_bookings::past(cx).await,
        C::BookAgain(id, from) => again::offer(cx, id, from).await,
        C::AgainCalendar(id, from) => booking::again(cx, id, from).await,
        C::RepeatNotNow => again::not_now(cx),
        C::RepeatStop => again::stop(cx).await,
        C::Offer {
            service,
            staff,
            start,
            from,
        } => again::take(cx, service, staff, start, from).await,
        C::Service(id) => booking::service_chosen(cx, id).await,
        C::Staff(staff) => booking::staff_chosen(cx, staff).await,
        C::Month { year, month } => booking::month(cx, year, month).await,
        C::Day(date) => booking::day(cx, date).await,
        C::Time(start) => booking::time(cx, start).await,
        C::Confirm(id) => booking::confirm(cx, id).await,
        C::CancelAsk(id) => my_bookings::ask(cx, id).await,
        C::CancelYes(id) => my_bookings::cancel(cx, id).await,
        C::RescheduleAsk(id) => reschedule::ask(cx, id).await,
        C::RescheduleTo(start) => reschedule::move_to(cx, start).await,
        C::ConfirmVisit(id) => visit::confirm(cx, id).await,
        C::Rate(id, n) => visit::rate(cx, id, n).await,
        C::WaitDay(day) => waitlist::ask(cx, day).await,
        C::WaitJoin(day) => waitlist::join(cx, day).await,
        C::WaitTake(entry, start) => waitlist::take(cx, entry, start).await,
        C::WaitLeave(entry) => my_bookings::leave_waitlist(cx, entry).await,
        C::CalendarFile(id) => calendar_file::send(cx, id).await,
        C::SeriesEvery(hold) => series::ask_every(cx, hold).await,
        C::SeriesTimes(hold, every) => series::ask_times(cx, hold, every).await,
        C::SeriesPlan(hold, every, times) => series::plan(cx, hold, every, times).await,
        C::SeriesBook(hold, instead) => series::book(cx, hold, instead).await,
        C::ConfirmAgain(hold) => series::back(cx, hold).await,
        C::CancelRest(id) => my_bookings::cancel_rest(cx, id).await,
    }
}
