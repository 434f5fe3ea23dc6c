//! Broadcasts: audience counts in the preview, sending within Telegram's flood limits (zero
//! 429s from a sandbox that enforces them) with a live progress message and a final report
//! counting delivered and blocked (the blocked customer marked), and stopping midway.

use booking_core::booking::BookingStatus;
use chrono::{Duration, Utc};
use storage::tenant::{admins::AdminRole, customers};
use tg_sandbox::ChatMessage;

use crate::{
    admin_support::{admin, audit, booking_at, customers_n, flood_limited_bot, panel, say, tid},
    support::{TestBot, WAIT},
};

/// Waits until the progress message (the next new one) shows the final report.
async fn report(bot: &TestBot, olga: &tg_sandbox::TestUser) -> ChatMessage {
    let progress = bot.next(olga).await;
    assert!(
        progress.text().starts_with("📢 Sending"),
        "{}",
        progress.text()
    );
    bot.client
        .wait_for_message(
            &bot.info.token,
            olga.id,
            progress.message_id,
            WAIT * 4,
            |m| m.text().contains("Broadcast finished") || m.text().contains("Broadcast stopped"),
        )
        .await
        .unwrap()
}

#[tokio::test]
async fn a_broadcast_respects_the_flood_limits_and_reports_delivered_and_blocked() {
    let bot = flood_limited_bot().await;
    let guests = customers_n(&bot, 40).await;
    // Two recent visitors; the others never booked.
    for g in &guests[..2] {
        let mut tx = bot.db.tx(bot.tenant_id()).await;
        let c = customers::by_telegram(&mut tx, tid(g))
            .await
            .unwrap()
            .unwrap();
        tx.commit().await.unwrap();
        let id = booking_at(
            &bot,
            c.id,
            bot.salon.anna.id,
            Utc::now() - Duration::days(3),
        )
        .await;
        let mut tx = bot.db.tx(bot.tenant_id()).await;
        storage::tenant::bookings::service::mark_outcome(
            &mut tx,
            id,
            BookingStatus::Completed,
            booking_core::booking::Actor::System,
            Utc::now(),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
    }
    // A customer the bot cannot write to (they never started it, or blocked it unnoticed):
    // Telegram answers 403.
    let stranger = bot.user("Stranger", "en").await;
    crate::admin_support::customer(&bot, &stranger).await;

    let olga = admin(&bot, "Olga", AdminRole::Owner).await;
    let menu = panel(&bot, &olga).await;
    let (_, audiences) = bot.press(&olga, &menu, "Broadcast").await;
    let (_, _ask) = bot
        .press(&olga, &audiences, "Visited in the last 30 days")
        .await;
    let preview = say(&bot, &olga, "Hello regulars").await;
    assert!(
        preview.text().contains("Recipients: 2"),
        "{}",
        preview.text()
    );
    let (_, dropped) = bot.press(&olga, &preview, "Cancel").await;
    assert!(
        dropped.text().contains("nothing was sent"),
        "{}",
        dropped.text()
    );
    let (_, audiences) = bot.press(&olga, &dropped, "Panel").await;
    let (_, audiences) = bot.press(&olga, &audiences, "Broadcast").await;
    let (_, _ask) = bot.press(&olga, &audiences, "Never booked").await;
    let preview = say(&bot, &olga, "Hello newcomers").await;
    assert!(
        preview.text().contains("Recipients: 39"),
        "{}",
        preview.text()
    );
    let (_, audiences) = bot.press(&olga, &preview, "Cancel").await;
    let (_, menu) = bot.press(&olga, &audiences, "Panel").await;
    let (_, audiences) = bot.press(&olga, &menu, "Broadcast").await;
    let (_, _ask) = bot.press(&olga, &audiences, "All customers").await;
    let preview = say(&bot, &olga, "🎉 Spring sale: -20% on everything").await;
    assert!(
        preview.text().contains("Recipients: 41"),
        "{}",
        preview.text()
    );

    let send_data = preview.button_data("Send").unwrap();
    let hits_before = bot.client.flood_hits(&bot.info.token).await.unwrap();
    let (_, sending) = bot.press(&olga, &preview, "Send").await;
    assert!(
        sending.text().starts_with("📢 Sending:"),
        "{}",
        sending.text()
    );
    let done = report(&bot, &olga).await;
    assert!(
        done.text().contains("41/41")
            && done
                .text()
                .contains("delivered: 40 · blocked: 1 · failed: 0"),
        "{}",
        done.text()
    );
    assert_eq!(
        bot.client.flood_hits(&bot.info.token).await.unwrap(),
        hits_before
    );
    assert_eq!(hits_before, 0, "the setup stayed within the limits too");

    for g in &guests {
        let chat = bot.client.chat(&bot.info.token, g.id).await.unwrap();
        assert!(
            chat.iter()
                .any(|m| m.text() == "🎉 Spring sale: -20% on everything")
        );
    }
    let mut tx = bot.db.tx(bot.tenant_id()).await;
    let blocked = customers::by_telegram(&mut tx, tid(&stranger))
        .await
        .unwrap()
        .unwrap();
    tx.commit().await.unwrap();
    assert!(
        blocked.blocked_bot_at.is_some(),
        "the 403 marked the customer blocked"
    );
    let actions: Vec<String> = audit(&bot).await.into_iter().map(|a| a.1).collect();
    assert_eq!(actions, ["broadcast.start", "broadcast.finish"]);

    // The same draft cannot be sent twice.
    let again = bot
        .forged_buttons(&olga, std::slice::from_ref(&send_data))
        .await;
    let (answer, _) = bot.press_data(&olga, &again, &send_data).await;
    let answer = answer.text.unwrap_or_default();
    assert_eq!(answer, "This draft is gone.");
}

#[tokio::test]
async fn a_broadcast_can_be_stopped_midway() {
    let bot = crate::support::TestBot::start().await;
    let guests = customers_n(&bot, 80).await;
    let olga = admin(&bot, "Olga", AdminRole::Admin).await;
    let menu = panel(&bot, &olga).await;
    let (_, audiences) = bot.press(&olga, &menu, "Broadcast").await;
    let (_, _ask) = bot.press(&olga, &audiences, "All customers").await;
    let preview = say(&bot, &olga, "Closing early today").await;
    let _ = bot.press(&olga, &preview, "Send").await;
    let progress = bot.next(&olga).await;
    // Sending is paced at 20 a second, so 80 take at least four seconds: time to stop.
    let (answer, _) = bot.press(&olga, &progress, "Stop").await;
    assert_eq!(answer.text.as_deref(), Some("Stopping…"));
    let done = bot
        .client
        .wait_for_message(&bot.info.token, olga.id, progress.message_id, WAIT, |m| {
            m.text().contains("Broadcast stopped")
        })
        .await
        .unwrap();
    let mut received = 0;
    for g in &guests {
        let chat = bot.client.chat(&bot.info.token, g.id).await.unwrap();
        received += usize::from(chat.iter().any(|m| m.text() == "Closing early today"));
    }
    assert!(received < guests.len(), "stopped before the end");
    assert!(
        done.text().contains(&format!("delivered: {received} ")),
        "{} vs {received}",
        done.text()
    );
}

/// How many of `guests` have received `text`, and the most copies any one of them got.
async fn received(bot: &TestBot, guests: &[tg_sandbox::TestUser], text: &str) -> (usize, usize) {
    let (mut reached, mut most) = (0, 0);
    for g in guests {
        let chat = bot.client.chat(&bot.info.token, g.id).await.unwrap();
        let copies = chat.iter().filter(|m| m.text() == text).count();
        reached += usize::from(copies > 0);
        most = most.max(copies);
    }
    (reached, most)
}

#[tokio::test]
async fn a_broadcast_carries_on_after_a_restart_and_reaches_everyone_once() {
    let mut bot = TestBot::start().await;
    let guests = customers_n(&bot, 60).await;
    let olga = admin(&bot, "Olga", AdminRole::Admin).await;
    let menu = panel(&bot, &olga).await;
    let (_, audiences) = bot.press(&olga, &menu, "Broadcast").await;
    let (_, _ask) = bot.press(&olga, &audiences, "All customers").await;
    let text = "New opening hours from Monday";
    let preview = say(&bot, &olga, text).await;
    let _ = bot.press(&olga, &preview, "Send").await;
    let progress = bot.next(&olga).await;
    assert!(
        progress.text().starts_with("📢 Sending"),
        "{}",
        progress.text()
    );

    // Sending is paced at 20 a second: stop the bot once some, not all, have it.
    let deadline = tokio::time::Instant::now() + WAIT;
    while received(&bot, &guests, text).await.0 < 5 {
        assert!(tokio::time::Instant::now() < deadline, "nothing was sent");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    bot.stop().await;
    let (before, _) = received(&bot, &guests, text).await;
    assert!(before < guests.len(), "stopped midway ({before} sent)");

    bot.launch().await;
    let done = bot
        .client
        .wait_for_message(
            &bot.info.token,
            olga.id,
            progress.message_id,
            WAIT * 4,
            |m| m.text().contains("Broadcast finished"),
        )
        .await
        .unwrap();
    assert!(
        done.text().contains("60/60") && done.text().contains("delivered: 60 · blocked: 0"),
        "{}",
        done.text()
    );
    assert_eq!(
        received(&bot, &guests, text).await,
        (guests.len(), 1),
        "everyone once, nobody twice"
    );
    let actions: Vec<String> = audit(&bot).await.into_iter().map(|a| a.1).collect();
    assert_eq!(actions, ["broadcast.start", "broadcast.finish"]);
}
