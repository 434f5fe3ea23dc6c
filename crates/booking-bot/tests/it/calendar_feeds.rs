//! Calendars: the admin panel makes a staff feed link, the master's own `/ical/` route serves
//! it, and the feed is read back with `icalendar`'s parser (its nom reader, which shares no
//! code with the writer but the text escaping). The customer's "add to calendar" file names
//! the same visit; a cancellation reaches the feed as `STATUS:CANCELLED` with a higher
//! `SEQUENCE`; a new link kills the old one, and a revoked link is a 404.

use std::sync::Arc;

use booking_core::{booking::BookingStatus, clock::SystemClock};
use chrono::Utc;
use icalendar::{
    Calendar, CalendarComponent, CalendarDateTime, Component as _, DatePerhapsTime, EventStatus,
};
use storage::tenant::{admins::AdminRole, bookings};
use tg_sandbox::{ChatMessage, TestUser};
use tokio::{net::TcpListener, sync::oneshot};

use crate::{
    admin_support::{admin, customer, panel},
    support::{TestBot, first_data},
};

/// The master's feed route on 127.0.0.1:0, over the platform's pool as the master has it.
struct FeedServer {
    base: String,
    client: reqwest::Client,
    _stop: oneshot::Sender<()>,
}

impl FeedServer {
    async fn start(bot: &TestBot) -> Self {
        let api = master_bot::api::state::ApiState::new(
            bot.db.db.clone(),
            None,
            Arc::new(SystemClock),
            master_bot::api::rate_limit::RateLimit::default(),
            master_bot::bot_api::BotApi::new("http://127.0.0.1:9").unwrap(),
        );
        let router = master_bot::calendar_feed::router(api);
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(telemetry::serve(listener, router, async {
            let _ = stopped.await;
        }));
        Self {
            base,
            client: reqwest::Client::new(),
            _stop: stop,
        }
    }

    /// GET of a link the panel showed (on the test's `CALENDAR_FEED_URL`).
    async fn get(&self, link: &str) -> (u16, String) {
        let path = link
            .strip_prefix("https://platform.test")
            .unwrap_or_else(|| panic!("not on the configured address: {link}"));
        let resp = self
            .client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        if status == 200 {
            assert_eq!(
                resp.headers()["content-type"],
                "text/calendar; charset=utf-8"
            );
        }
        (status, resp.text().await.unwrap())
    }
}

fn events(text: &str) -> Vec<icalendar::Event> {
    let calendar: Calendar = text.parse().unwrap_or_else(|e| panic!("{e}\n{text}"));
    calendar
        .components
        .into_iter()
        .filter_map(|c| match c {
            CalendarComponent::Event(e) => Some(e),
            _ => None,
        })
        .collect()
}

fn start_of(event: &icalendar::Event) -> chrono::DateTime<Utc> {
    match event.get_start() {
        Some(DatePerhapsTime::DateTime(CalendarDateTime::Utc(dt))) => dt,
        other => panic!("start {other:?}"),
    }
}

/// The link in the message the panel sends after "Get a link" / "New link" (the admin's
/// notices of bookings may come first).
async fn link_message(bot: &TestBot, user: &TestUser) -> String {
    for _ in 0..5 {
        let message = bot.next(user).await;
        if let Some(link) = message
            .text()
            .split_whitespace()
            .find(|w| w.starts_with("https://platform.test/ical/") && w.ends_with(".ics"))
        {
            return link.to_owned();
        }
    }
    panic!("no link came");
}

/// Menu → Book → Haircut → Anna → next month → first free day → 09:00 → Confirm.
async fn book_through_the_bot(bot: &TestBot, alice: &TestUser) -> ChatMessage {
    let menu = bot.menu(alice).await;
    let calendar = bot.calendar(alice, &menu).await;
    let (_, next_month) = bot.press(alice, &calendar, "▶").await;
    let day = first_data(&next_month, "v1:d:");
    let (_, times) = bot.press_data(alice, &next_month, &day).await;
    let (_, confirm) = bot.press(alice, &times, "09:00").await;
    let (_, done) = bot.press(alice, &confirm, "Confirm").await;
    assert!(done.text().contains("You are booked"), "{}", done.text());
    done
}

#[tokio::test]
async fn a_staff_feed_follows_bookings_and_its_link_can_be_renewed_and_revoked() {
    let bot = TestBot::start().await;
    let feeds = FeedServer::start(&bot).await;
    let olga = admin(&bot, "Olga", AdminRole::Admin).await;

    // Alice books; the booked screen offers the visit as a calendar file.
    let alice = bot.user("Alice", "en").await;
    let done = book_through_the_bot(&bot, &alice).await;
    let (_, _) = bot.press(&alice, &done, "Add to calendar").await;
    let file = bot.next(&alice).await;
    assert!(
        file.text().contains("add the visit to your calendar"),
        "{}",
        file.text()
    );
    let document = file.document.clone().expect("an .ics document");
    assert!(
        document
            .file_name
            .as_deref()
            .is_some_and(|n| n.ends_with(".ics")),
        "{document:?}"
    );
    let ics = String::from_utf8(bot.client.download(&document).await.unwrap()).unwrap();
    assert!(ics.contains("METHOD:PUBLISH\r\n"), "{ics}");
    let mut tx = bot.db.tx(bot.tenant_id()).await;
    let alice_id = customer(&bot, &alice).await;
    let booking = bookings::views::for_customer(&mut tx, alice_id, true, Utc::now(), 10)
        .await
        .unwrap()
        .remove(0)
        .booking;
    drop(tx);
    let uid = calendar_ics::uid(bot.tenant_id(), booking.id);
    let in_file = events(&ics);
    assert_eq!(in_file.len(), 1);
    assert_eq!(in_file[0].get_uid(), Some(uid.as_str()));
    assert_eq!(in_file[0].get_summary(), Some("Haircut · Salon"));
    assert_eq!(in_file[0].get_description(), Some("With Anna"));
    assert_eq!(start_of(&in_file[0]), booking.start);

    // The admin makes the business's feed link from the panel.
    let menu = panel(&bot, &olga).await;
    let (_, availability) = bot.press(&olga, &menu, "Availability").await;
    let (_, screen) = bot.press(&olga, &availability, "Calendar feed").await;
    assert!(screen.text().contains("No link yet"), "{}", screen.text());
    let (_, screen) = bot.press(&olga, &screen, "Get a link").await;
    assert!(
        screen.text().contains("A link is live"),
        "{}",
        screen.text()
    );
    let link = link_message(&bot, &olga).await;

    let (status, feed) = feeds.get(&link).await;
    assert_eq!(status, 200, "{feed}");
    let listed = events(&feed);
    assert_eq!(listed.len(), 1, "{feed}");
    assert_eq!(listed[0].get_uid(), Some(uid.as_str()));
    assert_eq!(listed[0].get_status(), Some(EventStatus::Confirmed));
    assert_eq!(listed[0].get_summary(), Some("Haircut · Alice"));
    assert_eq!(start_of(&listed[0]), booking.start);
    let sequence = listed[0].get_sequence().expect("a SEQUENCE");

    // Alice cancels in the bot: the same event, cancelled, at a higher sequence.
    bot.command(&alice, "/my").await;
    let mine = bot.next(&alice).await;
    let (_, ask) = bot.press(&alice, &mine, "Cancel #1").await;
    let (_, _) = bot.press(&alice, &ask, "Yes, cancel").await;
    let (_, feed) = feeds.get(&link).await;
    let listed = events(&feed);
    assert_eq!(listed.len(), 1, "{feed}");
    assert_eq!(listed[0].get_uid(), Some(uid.as_str()));
    assert_eq!(listed[0].get_status(), Some(EventStatus::Cancelled));
    assert!(listed[0].get_sequence().unwrap() > sequence, "{feed}");
    let mut tx = bot.db.tx(bot.tenant_id()).await;
    let after = bookings::views::get(&mut tx, booking.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(after.status, BookingStatus::Cancelled);
    drop(tx);

    // A new link stops the old one.
    let (_, screen) = bot.press(&olga, &screen, "New link").await;
    let renewed = link_message(&bot, &olga).await;
    assert_ne!(renewed, link);
    assert_eq!(feeds.get(&link).await.0, 404);
    assert_eq!(feeds.get(&renewed).await.0, 200);

    // Revoked, it is gone too; a mangled link was never anything.
    let (answer, screen) = bot.press(&olga, &screen, "Revoke the link").await;
    assert_eq!(answer.text.as_deref(), Some("The link no longer works."));
    assert!(screen.text().contains("No link yet"), "{}", screen.text());
    assert_eq!(feeds.get(&renewed).await.0, 404);
    assert_eq!(feeds.get(&renewed.replace(".ics", "x.ics")).await.0, 404);
}

/// A staff member's own feed shows their bookings only, and a staff admin cannot touch
/// another's feed (the forged button is refused).
#[tokio::test]
async fn a_staff_feed_holds_only_that_staff_members_bookings() {
    let bot = TestBot::start().await;
    let feeds = FeedServer::start(&bot).await;
    let boris = crate::admin_support::boris(&bot).await;
    let anna = bot.salon.anna.id;
    let alice = bot.user("Alice", "en").await;
    let alice_id = customer(&bot, &alice).await;
    let with_anna = crate::admin_support::booking_with(&bot, alice_id, anna, 2).await;
    let with_boris = crate::admin_support::booking_with(&bot, alice_id, boris.id, 3).await;

    let anna_admin = admin(&bot, "Anna", AdminRole::Staff(anna)).await;
    let menu = panel(&bot, &anna_admin).await;
    let (_, availability) = bot.press(&anna_admin, &menu, "Availability").await;
    let (_, screen) = bot.press(&anna_admin, &availability, "Calendar feed").await;
    assert!(screen.text().contains("Anna"), "{}", screen.text());
    let (_, _) = bot.press(&anna_admin, &screen, "Get a link").await;
    let link = link_message(&bot, &anna_admin).await;
    let (status, feed) = feeds.get(&link).await;
    assert_eq!(status, 200, "{feed}");
    let uids: Vec<String> = events(&feed)
        .iter()
        .map(|e| e.get_uid().unwrap().to_owned())
        .collect();
    assert_eq!(uids, [calendar_ics::uid(bot.tenant_id(), with_anna.id)]);
    assert!(!feed.contains(&calendar_ics::uid(bot.tenant_id(), with_boris.id)));

    let forged = bot
        .forged_buttons(&anna_admin, &[format!("a1:iN:{}", boris.id)])
        .await;
    let (answer, _) = bot
        .press_data(&anna_admin, &forged, &format!("a1:iN:{}", boris.id))
        .await;
    assert!(answer.show_alert, "{answer:?}");
}

/// The calendar file of one visit, from the next message `user` gets.
async fn next_file(bot: &TestBot, user: &TestUser) -> String {
    let file = bot.next(user).await;
    let document = file.document.clone().expect("an .ics document");
    String::from_utf8(bot.client.download(&document).await.unwrap()).unwrap()
}

/// A moved visit brings the customer its new file (the same UID, a higher SEQUENCE, the new
/// time), and a cancelled one a METHOD:CANCEL file that withdraws it.
#[tokio::test]
async fn a_moved_visit_sends_a_new_file_and_a_cancelled_one_withdraws_it() {
    let bot = TestBot::start().await;
    let alice = bot.user("Alice", "en").await;
    let done = book_through_the_bot(&bot, &alice).await;
    let (_, _) = bot.press(&alice, &done, "Add to calendar").await;
    let first = next_file(&bot, &alice).await;
    let booked = events(&first);
    let uid = booked[0].get_uid().unwrap().to_owned();
    let sequence = booked[0].get_sequence().unwrap();

    bot.command(&alice, "/my").await;
    let mine = bot.next(&alice).await;
    let (_, calendar) = bot.press(&alice, &mine, "Move #1").await;
    let (_, next_month) = bot.press(&alice, &calendar, "▶").await;
    let day = first_data(&next_month, "v1:d:");
    let (_, times) = bot.press_data(&alice, &next_month, &day).await;
    let (_, ask) = bot.press(&alice, &times, "16:00").await;
    let (_, moved) = bot.press(&alice, &ask, "Move").await;
    assert!(moved.text().contains("Moved: Haircut"), "{}", moved.text());
    let after_move = next_file(&bot, &alice).await;
    assert!(after_move.contains("METHOD:PUBLISH\r\n"), "{after_move}");
    let moved_event = events(&after_move);
    assert_eq!(moved_event[0].get_uid(), Some(uid.as_str()));
    assert!(
        moved_event[0].get_sequence().unwrap() > sequence,
        "{after_move}"
    );
    assert_eq!(
        start_of(&moved_event[0])
            .with_timezone(&chrono_tz::Europe::Moscow)
            .format("%H:%M")
            .to_string(),
        "16:00"
    );
    assert_eq!(moved_event[0].get_status(), Some(EventStatus::Confirmed));

    bot.command(&alice, "/my").await;
    let mine = bot.next(&alice).await;
    let (_, ask) = bot.press(&alice, &mine, "Cancel #1").await;
    let (_, _) = bot.press(&alice, &ask, "Yes, cancel").await;
    let withdrawn = next_file(&bot, &alice).await;
    assert!(withdrawn.contains("METHOD:CANCEL\r\n"), "{withdrawn}");
    let cancelled = events(&withdrawn);
    assert_eq!(cancelled[0].get_uid(), Some(uid.as_str()));
    assert_eq!(cancelled[0].get_status(), Some(EventStatus::Cancelled));
    assert!(
        cancelled[0].get_sequence().unwrap() > moved_event[0].get_sequence().unwrap(),
        "{withdrawn}"
    );
}
