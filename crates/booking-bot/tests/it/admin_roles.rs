//! Roles: /admin only for admins; every admin button refused, with nothing changed, for anyone
//! else, for a staff member on a colleague's schedule, and for an admin demoted since the
//! button was drawn.

use booking_bot::{
    admin::callback::{
        AdminAction as A,
        choices::{Audience, Field, PreviewChoice, Report, RoleCode},
        payment::{AccountPart, PayChoice},
        setup::{LinkTarget, ProfileField},
    },
    texts::Key,
};
use booking_core::locale::Locale;
use booking_core::{booking::BookingStatus, ids::BlockId, time::Interval};
use chrono::{Duration, Utc};
use storage::tenant::{
    admin_views,
    admins::{self, AdminRole},
    schedule,
};

use crate::{
    admin_support::{
        admin, audit, booking_with, boris, customer, is_refusal, latest, notices, panel, say,
        status, tid,
    },
    support::TestBot,
};

#[tokio::test]
async fn admin_is_refused_to_customers() {
    let bot = TestBot::start().await;
    let alice = bot.user("Alice", "en").await;
    bot.command(&alice, "/admin").await;
    let answer = bot.next(&alice).await;
    assert!(
        answer.text().starts_with("⛔ Not allowed"),
        "{}",
        answer.text()
    );
    assert!(answer.buttons().is_empty());
}

#[tokio::test]
async fn every_admin_button_is_refused_to_outsiders_and_to_staff_on_a_colleagues_schedule() {
    let bot = TestBot::start().await;
    let boris = boris(&bot).await;
    let carol = bot.user("Carol", "en").await;
    let carol_id = customer(&bot, &carol).await;
    let borises = booking_with(&bot, carol_id, boris.id, 7).await;
    let mut tx = bot.db.tx(bot.tenant_id()).await;
    let start = Utc::now() + Duration::days(20);
    let block = schedule::block(
        &mut tx,
        Some(boris.id),
        Interval::new(start, start + Duration::hours(1)).unwrap(),
        "",
        None,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();

    let date = Utc::now().date_naive();
    let b = borises.id;
    let owner = tid(&admin(&bot, "Owner", AdminRole::Owner).await);
    // One button of every kind, each aimed at Boris's schedule where it names anything.
    let all = vec![
        A::Menu,
        A::Day {
            staff: Some(boris.id),
            date,
        },
        A::Week { staff: None, date },
        A::Booking(b),
        A::Done(b),
        A::NoShow(b),
        A::CancelAsk(b),
        A::CancelYes(b),
        A::Move(b),
        A::NoteBooking(b),
        A::NoteCustomer(b),
        A::PhoneIn,
        A::PhoneInService(bot.salon.haircut),
        A::PhoneInStaff(bot.salon.haircut, boris.id),
        A::Availability,
        A::Blocks,
        A::BlockNew(Some(boris.id)),
        A::Unblock(block),
        A::Hours(None),
        A::Exception(Some(boris.id)),
        A::Policy,
        A::CantWorkAsk(boris.id),
        A::CantWorkYes(boris.id),
        A::Services,
        A::Service(bot.salon.haircut),
        A::ServiceToggle(bot.salon.haircut),
        A::ServiceUp(bot.salon.haircut),
        A::ServiceEdit(bot.salon.haircut, Field::Price),
        A::ServiceNew,
        A::StaffList,
        A::StaffItem(boris.id),
        A::StaffToggle(boris.id),
        A::StaffUp(boris.id),
        A::StaffRename(boris.id),
        A::StaffGives(boris.id, bot.salon.haircut),
        A::StaffNew,
        A::Admins,
        A::AdminItem(owner),
        A::AdminSetRole(owner, RoleCode::Admin),
        A::AdminRemoveAsk(owner),
        A::AdminRemove(owner),
        A::AdminAdd,
        A::Audit(0),
        A::AuditCsv,
        A::Exports,
        A::ExportBookings,
        A::ExportCustomers,
        A::Broadcast,
        A::BroadcastSegment(Audience::All),
        A::BroadcastSend(1),
        A::BroadcastDrop(1),
        A::BroadcastStop(1),
        A::AnalyticsMenu,
        A::Analytics(Report::Days),
        A::TextsPage(0),
        A::TextKey(Key::Menu),
        A::TextSet(Key::Menu, Locale::En),
        A::TextReset(Key::Menu, Locale::En),
        A::Preview(PreviewChoice::Cancel),
        A::Setup,
        A::ProfileEdit(ProfileField::Address),
        A::Links,
        A::LinkQr(LinkTarget::Staff(boris.id)),
        A::Feed(Some(boris.id)),
        A::FeedNew(Some(boris.id)),
        A::FeedRevoke(None),
        A::Repeat,
        A::RepeatService(bot.salon.haircut),
        A::RepeatSet(bot.salon.haircut, 28),
        A::WinBackSet(storage::tenant::repeat_visits::WinBackKind::NoShow, 3),
        A::PhoneInSeries(true),
        A::Waitlist(0),
        // Money is the managers': refused to staff members whatever refund the button names.
        A::Refunds,
        A::RefundDone(1),
        A::RefundGive(1),
        A::RefundKeep(1),
        A::ServicePay(bot.salon.haircut),
        A::ServicePaySet(bot.salon.haircut, PayChoice::Full),
        A::PayAccount,
        A::PayAccountAsk(AccountPart::Token),
        A::PayAccountClear(AccountPart::Token),
        A::PayVatMenu,
        A::PayVat(Some(1)),
    ];
    let tags: Vec<&str> = all.iter().map(|a| a.tag()).collect();
    assert_eq!(tags, A::TAGS, "the table covers every kind of admin button");

    // Outsiders: every button refused. The rate limit allows 20 presses per 10 s, so the
    // table is pressed by a few customers.
    for (i, chunk) in all.chunks(8).enumerate() {
        let outsider = bot.user(&format!("Mallory{i}"), "en").await;
        bot.command(&outsider, "/admin").await;
        assert!(bot.next(&outsider).await.text().starts_with("⛔"));
        let data: Vec<String> = chunk.iter().map(ToString::to_string).collect();
        let forged = bot.forged_buttons(&outsider, &data).await;
        for d in &data {
            let (answer, after) = bot.press_data(&outsider, &forged, d).await;
            assert!(is_refusal(&answer), "{d}: {answer:?}");
            assert_eq!(after.text(), "forged", "{d} changed the screen");
        }
    }

    // Anna's own staff accounts: everything aimed at Boris, and the managers' and owners'
    // screens. Several accounts of hers press a part each, within the rate limit.
    let aimed: Vec<A> = all
        .iter()
        .copied()
        .filter(|a| {
            !matches!(
                a,
                A::Menu
                    | A::PhoneIn
                    | A::PhoneInService(_)
                    | A::Availability
                    | A::Blocks
                    // Her own part of the waitlist, whatever the button says.
                    | A::Waitlist(_)
                    // Confirms a change stored for her own chat, checked against her role
                    // then (she has none waiting: the press says so).
                    | A::Preview(_)
                    | A::PhoneInSeries(_)
            )
        })
        .collect();
    for (i, chunk) in aimed.chunks(15).enumerate() {
        let anna = admin(
            &bot,
            &format!("AnnaTg{i}"),
            AdminRole::Staff(bot.salon.anna.id),
        )
        .await;
        let _ = panel(&bot, &anna).await;
        let data: Vec<String> = chunk.iter().map(ToString::to_string).collect();
        let forged = bot.forged_buttons(&anna, &data).await;
        for d in &data {
            let (answer, _) = bot.press_data(&anna, &forged, d).await;
            assert!(is_refusal(&answer), "staff pressed {d}: {answer:?}");
        }
    }

    // Nothing changed: the booking, the block, no audit entry, no customer notice.
    assert_eq!(status(&bot, b).await, BookingStatus::Confirmed);
    let mut tx = bot.db.tx(bot.tenant_id()).await;
    assert!(admin_views::block(&mut tx, block).await.unwrap().is_some());
    assert!(
        admin_views::block(&mut tx, BlockId(block.get() + 1))
            .await
            .unwrap()
            .is_none()
    );
    tx.commit().await.unwrap();
    assert!(audit(&bot).await.is_empty());
    assert!(notices(&bot).await.is_empty());
}

#[tokio::test]
async fn a_demoted_admins_old_buttons_and_typed_steps_change_nothing() {
    let bot = TestBot::start().await;
    let carol = bot.user("Carol", "en").await;
    let carol_id = customer(&bot, &carol).await;
    let booking = booking_with(&bot, carol_id, bot.salon.anna.id, 7).await;
    let olga = admin(&bot, "Olga", AdminRole::Admin).await;
    let _ = panel(&bot, &olga).await;
    // Olga had the booking's card open with its buttons, and began moving it.
    let card_buttons = [
        A::CancelYes(booking.id).to_string(),
        A::Move(booking.id).to_string(),
    ];
    let card = bot.forged_buttons(&olga, &card_buttons[..1]).await;
    let moving = bot.forged_buttons(&olga, &card_buttons[1..]).await;
    let (_, asked) = bot.press_data(&olga, &moving, &card_buttons[1]).await;
    assert!(
        asked.text().contains("send the new date"),
        "{}",
        asked.text()
    );

    let mut tx = bot.db.tx(bot.tenant_id()).await;
    assert!(
        admin_views::remove_admin(&mut tx, tid(&olga))
            .await
            .unwrap()
    );
    tx.commit().await.unwrap();

    let refused = say(&bot, &olga, "01.12.2030 10:00").await;
    assert!(refused.text().starts_with("⛔"), "{}", refused.text());
    let (answer, _) = bot.press_data(&olga, &card, &card_buttons[0]).await;
    assert!(is_refusal(&answer), "{answer:?}");
    assert_eq!(status(&bot, booking.id).await, BookingStatus::Confirmed);
    assert_eq!(latest(&bot, &olga).await.text(), refused.text());
    assert!(audit(&bot).await.is_empty());
    assert!(notices(&bot).await.is_empty());
}

/// A step runs under the role read in its own transaction: while that transaction is open
/// the admin cannot be removed or demoted under it, and a demotion that landed between the
/// press and the step refuses the step.
#[tokio::test]
async fn an_admin_step_runs_under_the_role_read_in_its_own_transaction() {
    let bot = TestBot::start().await;
    let olga = admin(&bot, "Olga", AdminRole::Admin).await;
    let app = booking_bot::runtime::app::App::connect(
        &bot.config,
        std::sync::Arc::new(booking_core::clock::SystemClock),
    )
    .unwrap();
    let tg = bot_kit::bot::throttled(
        &bot.config.bot_token,
        bot.config.telegram_api_url.parse().unwrap(),
    );
    let user = teloxide::types::User {
        id: teloxide::types::UserId(u64::try_from(tid(&olga).get()).unwrap()),
        is_bot: false,
        first_name: "Olga".to_owned(),
        last_name: None,
        username: None,
        language_code: Some("en".to_owned()),
        is_premium: false,
        added_to_attachment_menu: false,
    };
    let cx = booking_bot::runtime::context::Cx {
        app: &app,
        bot: &tg,
        chat: teloxide::types::ChatId(tid(&olga).get()),
        user: &user,
        locale: Locale::En,
        who: booking_bot::admin::roles::Acting {
            id: tid(&olga),
            role: AdminRole::Admin,
            name: "Olga".to_owned(),
        },
    };

    let step = cx.tx().await.unwrap();
    let mut owner = bot.db.tx(bot.tenant_id()).await;
    sqlx::query("set local lock_timeout = '300ms'")
        .execute(owner.conn())
        .await
        .unwrap();
    let removed = sqlx::query("delete from admins where telegram_user_id = $1")
        .bind(tid(&olga).get())
        .execute(owner.conn())
        .await;
    assert!(
        removed.is_err(),
        "the role cannot change under an open step"
    );
    drop(owner);
    drop(step);

    let mut owner = bot.db.tx(bot.tenant_id()).await;
    admins::upsert(
        &mut owner,
        tid(&olga),
        AdminRole::Staff(bot.salon.anna.id),
        "Olga",
        None,
    )
    .await
    .unwrap();
    owner.commit().await.unwrap();
    assert!(matches!(
        cx.tx().await,
        Err(booking_bot::error::BotError::RoleChanged)
    ));
}
