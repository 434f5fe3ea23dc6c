//! What a customer does with the outbox's messages: confirm a visit from its reminder, rate a
//! past visit from the follow-up, and add a comment to the rating.

use crate::runtime::context::Cx;
use booking_core::{booking::BookingRejection, ids::BookingId};
use storage::tenant::{bookings, feedback, reminders};

use super::{
    common::{booking_screen, rejected},
    context::Visit,
};
use crate::{customer::keyboards, customer::state::State, error::BotError, texts::Key};
use bot_kit::{Notice, Reply};

/// The longest comment kept; Telegram allows 4096 characters, a review needs far fewer.
const MAX_COMMENT: usize = 1000;

/// "I'll be there": recorded for the customer's own upcoming booking (which also keeps an
/// automatic release away); the reminder shows that it is confirmed.
pub async fn confirm(cx: &Cx<'_, Visit>, id: BookingId) -> Result<Reply, BotError> {
    let t = cx.texts();
    let now = cx.app.now();
    let mut tx = cx.tx().await?;
    let customer = cx.who.session.customer.id;
    if !reminders::confirm_visit(&mut tx, id, customer, cx.actor(), now).await? {
        return Ok(rejected(cx, &BookingRejection::NotFound));
    }
    let Some(booking) = bookings::views::get(&mut tx, id).await? else {
        return Ok(rejected(cx, &BookingRejection::NotFound));
    };
    let mut reply = booking_screen(cx, Key::ReminderConfirmed, &booking);
    tx.commit().await?;
    reply.notice = Some(Notice::Toast(t.get(Key::VisitConfirmed).to_owned()));
    Ok(reply)
}

/// A rating from the follow-up: only the customer's own visit that has ended. The next text
/// message becomes the comment (or "No comment" goes back to the menu).
pub async fn rate(cx: &Cx<'_, Visit>, id: BookingId, rating: u8) -> Result<Reply, BotError> {
    let t = cx.texts();
    let mut tx = cx.tx().await?;
    let customer = cx.who.session.customer.id;
    let now = cx.app.now();
    if !reminders::rate(&mut tx, id, customer, rating, now).await? {
        return Ok(rejected(cx, &BookingRejection::NotFound));
    }
    if rating <= feedback::LOW_RATING {
        feedback::low_rating(&mut tx, id, now).await?;
    }
    tx.commit().await?;
    cx.set_state(State::Commenting { booking: id }).await?;
    let text = t.fill(
        Key::RatingThanks,
        &[("rating", &"⭐".repeat(rating.into()))],
    );
    Ok(Reply::screen(text, keyboards::no_comment(t)))
}

/// The text after a rating, saved as its comment.
pub async fn comment(
    cx: &Cx<'_, Visit>,
    booking: BookingId,
    text: &str,
) -> Result<Reply, BotError> {
    let t = cx.texts();
    let text: String = text.trim().chars().take(MAX_COMMENT).collect();
    let mut tx = cx.tx().await?;
    if reminders::comment(&mut tx, booking, cx.who.session.customer.id, &text).await? {
        feedback::comment_given(&mut tx, booking, cx.app.now()).await?;
    }
    tx.commit().await?;
    cx.set_state(State::Idle).await?;
    Ok(Reply::screen(
        t.get(Key::CommentSaved),
        keyboards::main_menu(t),
    ))
}
