//! Analytics: the figures per day match the database, and the PNG chart decodes (checked
//! with an independent inflate and CRC) with bars in proportion to them.

use booking_bot::admin::chart::{COLOURS, Chart, HEIGHT, WIDTH};
use booking_core::{Tz, ids::BookingId};
use chrono::{Duration, NaiveTime, Utc};
use storage::tenant::admins::AdminRole;
use tg_sandbox::TestUser;

use crate::{
    admin_support::{admin, booking_at, boris, customer, panel},
    support::TestBot,
};

const ZONE: Tz = chrono_tz::Europe::Moscow;

/// A booking at `hour` local on the day `days_ago`, then given `status` and `source`.
async fn visit(
    bot: &TestBot,
    who: &TestUser,
    staff: booking_core::ids::StaffId,
    days_ago: i64,
    hour: u32,
    status: &str,
    source: &str,
) -> BookingId {
    let customer = customer(bot, who).await;
    let day = (Utc::now().with_timezone(&ZONE) - Duration::days(days_ago)).date_naive();
    let start = day
        .and_time(NaiveTime::from_hms_opt(hour, 0, 0).unwrap())
        .and_local_timezone(ZONE)
        .unwrap()
        .with_timezone(&Utc);
    let id = booking_at(bot, customer, staff, start).await;
    let mut tx = bot.db.tx(bot.tenant_id()).await;
    sqlx::query("update bookings set status = $2, source = $3 where booking_id = $1")
        .bind(id.get())
        .bind(status)
        .bind(Some(source).filter(|s| !s.is_empty()))
        .execute(tx.conn())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    id
}

/// Decodes an 8-bit RGB PNG: checks the signature and every chunk's CRC, inflates the data
/// and returns the pixel rows.
fn decode(png: &[u8]) -> Vec<Vec<[u8; 3]>> {
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "PNG signature");
    let mut at = 8;
    let (mut width, mut height, mut data) = (0, 0, Vec::new());
    while at < png.len() {
        let len = u32::from_be_bytes(png[at..at + 4].try_into().unwrap()) as usize;
        let kind = &png[at + 4..at + 8];
        let body = &png[at + 8..at + 8 + len];
        let crc = u32::from_be_bytes(png[at + 8 + len..at + 12 + len].try_into().unwrap());
        assert_eq!(
            crc32fast::hash(&png[at + 4..at + 8 + len]),
            crc,
            "CRC of {kind:?}"
        );
        match kind {
            b"IHDR" => {
                width = u32::from_be_bytes(body[0..4].try_into().unwrap());
                height = u32::from_be_bytes(body[4..8].try_into().unwrap());
                assert_eq!(&body[8..10], &[8, 2], "8-bit RGB");
            }
            b"IDAT" => data.extend_from_slice(body),
            _ => {}
        }
        at += 12 + len;
    }
    let raw = miniz_oxide::inflate::decompress_to_vec_zlib(&data).unwrap();
    let stride = 1 + width as usize * 3;
    assert_eq!(raw.len(), stride * height as usize);
    raw.chunks(stride)
        .map(|row| {
            assert_eq!(row[0], 0, "filter type 0");
            row[1..].chunks(3).map(|p| [p[0], p[1], p[2]]).collect()
        })
        .collect()
}

/// Heights of the bars of one colour, left to right.
fn bars(rows: &[Vec<[u8; 3]>], colour: [u8; 3]) -> Vec<usize> {
    let mut heights = Vec::new();
    let mut previous = 0;
    for x in 0..rows[0].len() {
        let h = rows.iter().filter(|r| r[x] == colour).count();
        if h > 0 && previous == 0 {
            heights.push(h);
        }
        previous = h;
    }
    heights
}

async fn photo(bot: &TestBot, olga: &TestUser) -> Vec<Vec<[u8; 3]>> {
    let message = bot.next(olga).await;
    let file = message
        .photo
        .clone()
        .unwrap_or_else(|| panic!("no photo in {message:?}"));
    decode(&bot.client.download(&file).await.unwrap())
}

#[tokio::test]
async fn figures_match_the_database_and_charts_are_real_pngs_in_proportion() {
    let bot = TestBot::start().await;
    let boris = boris(&bot).await;
    let anna = bot.salon.anna.id;
    let (a, b, c) = (
        bot.user("Ann", "en").await,
        bot.user("Ben", "en").await,
        bot.user("Cid", "en").await,
    );
    // Three days ago: two done (one from promo_x), a no-show, a cancellation.
    visit(&bot, &a, anna, 3, 10, "completed", "promo_x").await;
    visit(&bot, &b, boris.id, 3, 10, "completed", "").await;
    visit(&bot, &a, anna, 3, 12, "no_show", "promo_x").await;
    visit(&bot, &c, anna, 3, 15, "cancelled", "").await;
    // Yesterday: one done.
    visit(&bot, &a, anna, 1, 10, "completed", "promo_x").await;

    let olga = admin(&bot, "Olga", AdminRole::Owner).await;
    let menu = panel(&bot, &olga).await;
    let (_, analytics) = bot.press(&olga, &menu, "Analytics").await;
    let (_, days) = bot.press(&olga, &analytics, "Days").await;
    let d3 = (Utc::now().with_timezone(&ZONE) - Duration::days(3))
        .format("%d.%m.%Y")
        .to_string();
    let d1 = (Utc::now().with_timezone(&ZONE) - Duration::days(1))
        .format("%d.%m.%Y")
        .to_string();
    assert!(
        days.text()
            .contains(&format!("{d3}: 3 / 1 / 1 / 3,000\u{a0}₽")),
        "{}",
        days.text()
    );
    assert!(
        days.text()
            .contains(&format!("{d1}: 1 / 0 / 0 / 1,500\u{a0}₽")),
        "{}",
        days.text()
    );
    let picture = photo(&bot, &olga).await;
    assert_eq!(
        (picture[0].len(), picture.len()),
        (WIDTH as usize, HEIGHT as usize)
    );
    // Bookings 3 then 1; cancellations 1 then none; no-shows 1 then none.
    let h = |v| Chart::bar_height(v, 3) as usize;
    assert_eq!(bars(&picture, COLOURS[0]), [h(3), h(1)]);
    assert_eq!(bars(&picture, COLOURS[1]), [h(1)]);
    assert_eq!(bars(&picture, COLOURS[2]), [h(1)]);

    let (_, analytics) = bot.press(&olga, &days, "Analytics").await;
    let (_, sources) = bot.press(&olga, &analytics, "Sources").await;
    assert!(
        sources.text().contains("promo_x: 3") && sources.text().contains("direct: 1"),
        "{}",
        sources.text()
    );
    assert_eq!(
        bars(&photo(&bot, &olga).await, COLOURS[0]),
        [
            Chart::bar_height(3, 3) as usize,
            Chart::bar_height(1, 3) as usize
        ]
    );

    let (_, analytics) = bot.press(&olga, &sources, "Analytics").await;
    let (_, staff) = bot.press(&olga, &analytics, "Top staff").await;
    assert!(
        staff.text().contains("Anna: 3") && staff.text().contains("Boris: 1"),
        "{}",
        staff.text()
    );
    let _ = photo(&bot, &olga).await;
    let (_, analytics) = bot.press(&olga, &staff, "Analytics").await;
    let (_, hours) = bot.press(&olga, &analytics, "Busiest hours").await;
    assert!(
        hours.text().contains("10:00: 3") && hours.text().contains("12:00: 1"),
        "{}",
        hours.text()
    );
    let _ = photo(&bot, &olga).await;
    let (_, analytics) = bot.press(&olga, &hours, "Analytics").await;
    let (_, top) = bot.press(&olga, &analytics, "Top customers").await;
    assert!(top.text().contains("Ann: 3"), "{}", top.text());
}
