//! The codec's round trips and refusals.

use chrono::TimeZone;

use super::*;

fn all_kinds() -> Vec<CallbackData> {
    use CallbackData as C;
    vec![
        C::Noop,
        C::Language(Locale::Ru),
        C::Language(Locale::En),
        C::Menu(MenuItem::Main),
        C::Menu(MenuItem::Book),
        C::Menu(MenuItem::MyBookings),
        C::Menu(MenuItem::About),
        C::Menu(MenuItem::Help),
        C::Menu(MenuItem::Past),
        C::Service(ServiceId(i64::MAX)),
        C::Staff(Some(StaffId(7))),
        C::Staff(None),
        C::Month {
            year: 2026,
            month: 12,
        },
        C::Day(NaiveDate::from_ymd_opt(2027, 1, 31).unwrap()),
        C::Time(Utc.with_ymd_and_hms(2099, 12, 31, 23, 59, 0).unwrap()),
        C::Confirm(BookingId(i64::MAX)),
        C::CancelAsk(BookingId(1)),
        C::CancelYes(BookingId(i64::MAX)),
        C::RescheduleAsk(BookingId(42)),
        C::BookAgain(BookingId(43), None),
        C::BookAgain(BookingId(i64::MAX), Some(BroughtBy::Again)),
        C::ConfirmVisit(BookingId(i64::MAX)),
        C::Rate(BookingId(i64::MAX), 5),
        C::Rate(BookingId(1), 1),
        C::WaitDay(NaiveDate::from_ymd_opt(2026, 12, 9).unwrap()),
        C::WaitJoin(NaiveDate::from_ymd_opt(2026, 12, 9).unwrap()),
        C::WaitTake(
            WaitlistId(i64::MAX),
            Utc.with_ymd_and_hms(2099, 12, 31, 23, 59, 0).unwrap(),
        ),
        C::WaitLeave(WaitlistId(i64::MAX)),
        C::RescheduleTo(Utc.with_ymd_and_hms(2030, 1, 1, 6, 0, 0).unwrap()),
        C::CalendarFile(BookingId(i64::MAX)),
        C::Offer {
            service: ServiceId(i64::MAX),
            staff: StaffId(i64::MAX),
            start: Utc.with_ymd_and_hms(2099, 12, 31, 23, 59, 0).unwrap(),
            from: Some(BroughtBy::WinBack),
        },
        C::Offer {
            service: ServiceId(1),
            staff: StaffId(2),
            start: Utc.with_ymd_and_hms(2099, 12, 31, 23, 59, 0).unwrap(),
            from: None,
        },
        C::AgainCalendar(BookingId(i64::MAX), Some(BroughtBy::Nudge)),
        C::AgainCalendar(BookingId(1), None),
        C::RepeatNotNow,
        C::RepeatStop,
        C::SeriesEvery(BookingId(i64::MAX)),
        C::SeriesTimes(BookingId(i64::MAX), Every::TWO_WEEKS),
        C::SeriesPlan(BookingId(i64::MAX), Every::WEEK, Times::new(12).unwrap()),
        C::SeriesBook(BookingId(i64::MAX), true),
        C::SeriesBook(BookingId(1), false),
        C::ConfirmAgain(BookingId(i64::MAX)),
        C::CancelRest(BookingId(i64::MAX)),
    ]
}

#[test]
fn every_kind_round_trips_within_telegrams_limit() {
    for data in all_kinds() {
        let text = data.to_string();
        assert!(text.len() <= MAX_LEN, "{text} is too long");
        assert!(text.starts_with("v1:"), "{text}");
        assert_eq!(text.parse::<CallbackData>(), Ok(data), "{text}");
    }
}

#[test]
fn times_and_dates_out_of_reach_are_out_of_date_not_a_panic() {
    // 8_210_235_340_800 s is 262142-01-01.
    for data in [
        "v1:t:8210235340800",
        "v1:R:8210235340800",
        "v1:W:1:8210235340800",
        "v1:d:99991231",
        "v1:w:18000101",
        "v1:M:999912",
    ] {
        assert_eq!(
            data.parse::<CallbackData>(),
            Err(CallbackError::OutOfDate),
            "{data}"
        );
    }
    // Beyond what a timestamp can be at all: garbage.
    assert_eq!(
        format!("v1:t:{}", i64::MAX).parse::<CallbackData>(),
        Err(CallbackError::Malformed)
    );
}

#[test]
fn another_version_is_told_apart_from_garbage() {
    assert_eq!(
        "v2:s:1".parse::<CallbackData>(),
        Err(CallbackError::UnknownVersion)
    );
    assert_eq!(
        "v0:n".parse::<CallbackData>(),
        Err(CallbackError::UnknownVersion)
    );
    for garbage in [
        "",
        "v1",
        "v1:",
        "v1:zz:1",
        "v:s:1",
        "select_service:1",
        "v1:s:-1",
        "v1:s:0",
        "v1:s:+1",
        "v1:s:1x",
        "v1:s:99999999999999999999",
        "v1:d:20270230",
        "v1:M:202613",
        "v1:t:abc",
        "v1:l:fr",
        "v1:m:admin",
        "v1:n:extra",
        "v1:g:1:0",
        "v1:g:1:6",
        "v1:g:1",
        "v1:v:x",
        "v1:w:2026139",
        "v1:W:1",
        "v1:W:0:1",
        "v1:L:0",
        "v1:L:",
        "v1:o:1:2",
        "v1:o:1:0:1700000000",
        "v1:o:1:2:1700000000:9",
        "v1:E:1:3",
        "v1:E:1:0",
        "v1:p:1:1:1",
        "v1:p:1:1:13",
        "v1:p:1:2",
        "v1:b:1:2",
        "v1:b:1",
        "v1:a:1:x",
        "v1:A:1:nn",
        "v1:o:1:2:1700000000:q",
    ] {
        assert_eq!(
            garbage.parse::<CallbackData>(),
            Err(CallbackError::Malformed),
            "{garbage:?}"
        );
    }
    assert_eq!(
        "v1:n".repeat(20).parse::<CallbackData>(),
        Err(CallbackError::Malformed)
    );
}
