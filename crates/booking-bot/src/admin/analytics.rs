//! Analytics: bookings, cancellations, no-shows and revenue per day, week and month; top
//! services, staff and customers; busiest hours; deep-link sources; the bookings each kind of
//! message brought back. Each is a message with the figures and a PNG chart of them.

use crate::admin::roles::Acting;
use crate::runtime::context::Cx;
use booking_core::{catalogue::Price, currency::Currency, time::Interval};
use chrono::{DateTime, Duration, Utc};
use storage::tenant::{
    admin_analytics::{self, Bucket, PeriodRow, Ranking},
    brought_back::{self, BroughtBy, MonthRow},
    feedback::{self, Ratings},
    settings,
};

use super::{
    callback::{AdminAction as A, choices::Report},
    chart::Chart,
    keyboards::{button, rows},
};
use crate::error::BotError;
use bot_kit::{Attachment, Reply};

/// Rankings cover the last 90 days and the bookings ahead within 30.
const RANKING_DAYS: i64 = 90;
const TOP: i64 = 10;
/// How many of the latest comments the ratings report shows.
const COMMENTS: i64 = 10;

pub async fn menu(cx: &Cx<'_, Acting>) -> Result<Reply, BotError> {
    let b = |label, r| button(label, A::Analytics(r));
    Ok(Reply::screen(
        cx.tr("📊 Analytics", "📊 Аналитика"),
        rows(vec![
            vec![
                b(cx.tr("Days", "Дни"), Report::Days),
                b(cx.tr("Weeks", "Недели"), Report::Weeks),
                b(cx.tr("Months", "Месяцы"), Report::Months),
            ],
            vec![
                b(cx.tr("Top services", "Топ услуг"), Report::Services),
                b(cx.tr("Top staff", "Топ мастеров"), Report::Staff),
            ],
            vec![
                b(cx.tr("Top customers", "Топ клиентов"), Report::Customers),
                b(cx.tr("Busiest hours", "Загрузка по часам"), Report::Hours),
            ],
            vec![
                b(cx.tr("Sources", "Источники"), Report::Sources),
                b(cx.tr("⭐ Ratings", "⭐ Оценки"), Report::Ratings),
            ],
            vec![b(
                cx.tr("🔁 Brought back", "🔁 Кого вернули сообщения"),
                Report::BroughtBack,
            )],
            vec![button(cx.tr("🏠 Panel", "🏠 Панель"), A::Menu)],
        ]),
    ))
}

/// The window a period report covers: so many units back, to the end of today's unit.
fn window(now: DateTime<Utc>, report: Report) -> (Bucket, Interval) {
    let (bucket, back) = match report {
        Report::Weeks => (Bucket::Week, Duration::weeks(12)),
        Report::Months => (Bucket::Month, Duration::days(366)),
        _ => (Bucket::Day, Duration::days(14)),
    };
    (
        bucket,
        Interval {
            start: now - back,
            end: now + Duration::days(1),
        },
    )
}

pub async fn report(cx: &Cx<'_, Acting>, report: Report) -> Result<Reply, BotError> {
    let now = cx.app.now();
    let mut tx = cx.tx().await?;
    let profile = settings::profile(&mut tx).await?;
    let zone = profile.time_zone;
    let reply = match report {
        Report::Days | Report::Weeks | Report::Months => {
            let (bucket, window) = window(now, report);
            let rows = admin_analytics::per_period(&mut tx, zone.name(), bucket, window).await?;
            periods(cx, report, &rows, profile.currency)
        }
        Report::BroughtBack => {
            let rows =
                brought_back::per_month(&mut tx, zone.name(), now - Duration::days(366)).await?;
            brought(cx, &rows)
        }
        Report::Ratings => {
            let window = Interval {
                start: now - Duration::days(RANKING_DAYS),
                end: now + Duration::days(1),
            };
            let found = feedback::ratings(&mut tx, window, COMMENTS).await?;
            ratings(cx, zone, &found)
        }
        Report::Services | Report::Staff | Report::Customers | Report::Hours | Report::Sources => {
            let ranking = match report {
                Report::Services => Ranking::Services,
                Report::Staff => Ranking::Staff,
                Report::Customers => Ranking::Customers,
                Report::Hours => Ranking::Hours,
                _ => Ranking::Sources,
            };
            let window = Interval {
                start: now - Duration::days(RANKING_DAYS),
                end: now + Duration::days(30),
            };
            let limit = if ranking == Ranking::Hours { 24 } else { TOP };
            let rows =
                admin_analytics::ranking(&mut tx, zone.name(), ranking, window, limit).await?;
            ranked(cx, report, &rows)
        }
    };
    tx.commit().await?;
    Ok(reply)
}

fn title(cx: &Cx<'_, Acting>, report: Report) -> &'static str {
    match report {
        Report::Days => cx.tr("📊 Per day, last 14 days", "📊 По дням, 14 дней"),
        Report::Weeks => cx.tr("📊 Per week, last 12 weeks", "📊 По неделям, 12 недель"),
        Report::Months => cx.tr("📊 Per month, last 12 months", "📊 По месяцам, 12 месяцев"),
        Report::Services => cx.tr("🏆 Top services (90 days)", "🏆 Топ услуг (90 дней)"),
        Report::Staff => cx.tr("🏆 Top staff (90 days)", "🏆 Топ мастеров (90 дней)"),
        Report::Customers => cx.tr("🏆 Top customers (90 days)", "🏆 Топ клиентов (90 дней)"),
        Report::Hours => cx.tr(
            "⏰ Bookings by start hour (90 days)",
            "⏰ Записи по часам (90 дней)",
        ),
        Report::Sources => cx.tr(
            "🔗 Bookings by source (90 days)",
            "🔗 Записи по источникам (90 дней)",
        ),
        Report::Ratings => cx.tr("⭐ Ratings (90 days)", "⭐ Оценки (90 дней)"),
        Report::BroughtBack => cx.tr(
            "🔁 Bookings brought back by messages, per month (12 months)",
            "🔁 Записи, которые вернули сообщения, по месяцам (12 месяцев)",
        ),
    }
}

fn with_chart(cx: &Cx<'_, Acting>, text: String, chart: Chart, caption: String) -> Reply {
    let mut reply = Reply::screen(
        text,
        rows(vec![vec![
            button(cx.tr("◀ Analytics", "◀ Аналитика"), A::AnalyticsMenu),
            button(cx.tr("🏠 Panel", "🏠 Панель"), A::Menu),
        ]]),
    );
    // A chart of nothing is an empty frame: the text already says there is nothing to show.
    if chart.groups.iter().flatten().any(|&v| v != 0) {
        reply.files.push(Attachment::Photo {
            name: "chart.png".to_owned(),
            bytes: chart.png(),
            caption,
        });
    }
    reply
}

fn periods(cx: &Cx<'_, Acting>, report: Report, rows: &[PeriodRow], currency: Currency) -> Reply {
    let mut text = format!(
        "{}\n{}",
        title(cx, report),
        cx.tr(
            "period: bookings / cancellations / no-shows / revenue",
            "период: записи / отмены / неявки / выручка"
        )
    );
    for r in rows {
        text.push_str(&format!(
            "\n{}: {} / {} / {} / {}",
            super::texts::day(cx.locale, r.period),
            r.bookings,
            r.cancellations,
            r.no_shows,
            super::texts::money(cx.locale, currency, Price(r.revenue_minor))
        ));
    }
    if rows.is_empty() {
        text.push_str(cx.tr(
            "\nNo bookings in this period.",
            "\nЗа этот период записей нет.",
        ));
    }
    let prepaid: i64 = rows.iter().map(|r| r.prepaid_minor).sum();
    if prepaid > 0 {
        let kept: i64 = rows.iter().map(|r| r.kept_minor).sum();
        let refunded: i64 = rows.iter().map(|r| r.refunded_minor).sum();
        let sum = |minor| super::texts::money(cx.locale, currency, Price(minor));
        text.push_str(&format!(
            "\n\n💳 {}: {} · {}: {} · {}: {}",
            cx.tr("Taken in advance", "Получено предоплат"),
            sum(prepaid),
            cx.tr("kept", "удержано"),
            sum(kept),
            cx.tr("refunded", "возвращено"),
            sum(refunded),
        ));
    }
    let chart = Chart {
        groups: rows
            .iter()
            .map(|r| vec![r.bookings, r.cancellations, r.no_shows])
            .collect(),
    };
    let caption = cx
        .tr(
            "Blue: bookings, orange: cancellations, red: no-shows",
            "Синий: записи, оранжевый: отмены, красный: неявки",
        )
        .to_owned();
    with_chart(cx, text, chart, caption)
}

fn kind_label(cx: &Cx<'_, Acting>, kind: BroughtBy) -> &'static str {
    match kind {
        BroughtBy::Nudge => cx.tr("Next-visit nudge", "Напоминание о следующем визите"),
        BroughtBy::WinBack => cx.tr(
            "Win-back after a no-show or cancellation",
            "Возврат после неявки или отмены",
        ),
        BroughtBy::Again => cx.tr(
            "“Book again” after a visit",
            "«Записаться снова» после визита",
        ),
    }
}

/// Per month, per kind of message: how many were sent and how many bookings they brought.
fn brought(cx: &Cx<'_, Acting>, rows: &[MonthRow]) -> Reply {
    let mut text = title(cx, Report::BroughtBack).to_owned();
    let mut groups: Vec<Vec<i64>> = Vec::new();
    let mut month = None;
    for r in rows {
        if month != Some(r.month) {
            month = Some(r.month);
            text.push_str(&format!(
                "\n\n{} {}:",
                cx.locale.month(chrono::Datelike::month0(&r.month)),
                chrono::Datelike::year(&r.month)
            ));
            groups.push(vec![0, 0]);
        }
        text.push_str(&format!(
            "\n{}: {} {}, {} {}",
            kind_label(cx, r.kind),
            cx.tr("sent", "отправлено"),
            r.sent,
            cx.tr("booked", "записались"),
            r.booked
        ));
        if let Some(g) = groups.last_mut() {
            g[0] += r.sent;
            g[1] += r.booked;
        }
    }
    if rows.is_empty() {
        text.push_str(cx.tr(
            "\nNo such messages were sent in this period.",
            "\nЗа этот период таких сообщений не было.",
        ));
    }
    let caption = cx
        .tr(
            "Per month. Blue: messages sent, orange: bookings they brought back",
            "По месяцам. Синий: отправлено сообщений, оранжевый: записей по ним",
        )
        .to_owned();
    with_chart(cx, text, Chart { groups }, caption)
}

/// The average, how many of each mark, and the latest comments; a bar per mark.
fn ratings(cx: &Cx<'_, Acting>, zone: booking_core::Tz, r: &Ratings) -> Reply {
    let mut text = title(cx, Report::Ratings).to_owned();
    match r.average() {
        None => text.push_str(cx.tr(
            "\nNo ratings in this period.",
            "\nЗа этот период оценок нет.",
        )),
        Some(avg) => {
            let avg = format!("{avg:.1}");
            let avg = match cx.locale {
                booking_core::locale::Locale::Ru => avg.replace('.', ","),
                booking_core::locale::Locale::En => avg,
            };
            text.push_str(&format!(
                "\n{}: {avg} ({}: {})",
                cx.tr("Average", "Средняя"),
                cx.tr("ratings", "оценок"),
                r.count()
            ));
            for (mark, n) in (1..6_usize).zip(r.spread).rev() {
                text.push_str(&format!("\n{}: {n}", "⭐".repeat(mark)));
            }
        }
    }
    if !r.comments.is_empty() {
        text.push_str(&format!(
            "\n\n{}:",
            cx.tr("Latest comments", "Последние комментарии")
        ));
        for c in &r.comments {
            text.push_str(&format!(
                "\n{} {} · {} · {}: «{}»",
                "⭐".repeat(usize::from(c.rating)),
                super::texts::when(cx.locale, zone, c.start),
                c.service,
                c.staff,
                c.comment
            ));
        }
    }
    let chart = Chart {
        groups: r.spread.iter().map(|n| vec![*n]).collect(),
    };
    let caption = cx
        .tr(
            "Ratings 1 to 5, left to right",
            "Оценки от 1 до 5, слева направо",
        )
        .to_owned();
    with_chart(cx, text, chart, caption)
}

fn ranked(cx: &Cx<'_, Acting>, report: Report, rows: &[(String, i64)]) -> Reply {
    let mut text = title(cx, report).to_owned();
    for (label, n) in rows {
        let label = if report == Report::Hours {
            format!("{label}:00")
        } else {
            label.clone()
        };
        text.push_str(&format!("\n{label}: {n}"));
    }
    if rows.is_empty() {
        text.push_str(cx.tr(
            "\nNo bookings in this period.",
            "\nЗа этот период записей нет.",
        ));
    }
    let chart = Chart {
        groups: rows.iter().map(|(_, n)| vec![*n]).collect(),
    };
    let caption = rows
        .iter()
        .map(|(l, _)| l.as_str())
        .collect::<Vec<_>>()
        .join(" · ");
    with_chart(cx, text, chart, caption.chars().take(1000).collect())
}
