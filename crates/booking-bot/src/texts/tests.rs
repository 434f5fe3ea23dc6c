//! The catalogue's invariants: both languages take the same placeholders, plurals, keys.

use super::*;

#[test]
fn key_codes_are_unique_and_round_trip() {
    let mut seen = std::collections::HashSet::new();
    for &key in Key::ALL {
        assert!(seen.insert(key.code()), "{} twice", key.code());
        assert_eq!(Key::from_code(key.code()), Some(key));
    }
    assert_eq!(Key::from_code("nope"), None);
}

#[test]
fn both_languages_take_the_same_placeholders() {
    for &key in Key::ALL {
        let (ru, en) = key.defaults();
        assert_eq!(placeholders(ru), placeholders(en), "{}", key.code());
        assert!(placeholders(en).is_ok(), "{}", key.code());
    }
}

#[test]
fn an_override_replaces_the_default_in_its_language_only() {
    let o = Arc::new(Overrides::from_rows([(
        "menu".to_owned(),
        Locale::En,
        "Hi from {business}".to_owned(),
    )]));
    let en = Texts::with(Locale::En, Arc::clone(&o));
    assert_eq!(
        en.fill(Key::Menu, &[("business", "Salon")]),
        "Hi from Salon"
    );
    assert_eq!(
        en.in_locale(Locale::Ru).get(Key::Menu),
        Key::Menu.defaults().0
    );
}

#[test]
fn refusals_are_keyed_texts_with_counted_placeholders() {
    let en = Texts::new(Locale::En);
    assert_eq!(
        en.rejection(&BookingRejection::TooSoon {
            min_notice: Minutes::new(60)
        }),
        "Bookings need at least 1 hour notice."
    );
    assert_eq!(
        Texts::new(Locale::Ru).rejection(&BookingRejection::LimitReached { limit: 3 }),
        "У вас уже 3 записи — это максимум. Отмените одну, чтобы записаться снова."
    );
    let o = Arc::new(Overrides::from_rows([(
        "rej_slot_taken".to_owned(),
        Locale::En,
        "Someone was quicker, sorry!".to_owned(),
    )]));
    assert_eq!(
        Texts::with(Locale::En, o).rejection(&BookingRejection::SlotTaken),
        "Someone was quicker, sorry!"
    );
}

#[test]
fn russian_counts_take_the_right_plural_form() {
    let ru = Texts::new(Locale::Ru);
    let cases = [
        (0, "0 записей"),
        (1, "1 запись"),
        (2, "2 записи"),
        (4, "4 записи"),
        (5, "5 записей"),
        (11, "11 записей"),
        (12, "12 записей"),
        (14, "14 записей"),
        (21, "21 запись"),
        (22, "22 записи"),
        (25, "25 записей"),
        (101, "101 запись"),
        (111, "111 записей"),
    ];
    for (n, want) in cases {
        assert_eq!(ru.count(Noun::Booking, n), want);
    }
}

#[test]
fn english_counts_have_singular_and_plural() {
    let en = Texts::new(Locale::En);
    assert_eq!(en.count(Noun::Booking, 1), "1 booking");
    assert_eq!(en.count(Noun::Booking, 0), "0 bookings");
    assert_eq!(en.count(Noun::Hour, 2), "2 hours");
}

#[test]
fn durations_read_naturally() {
    let ru = Texts::new(Locale::Ru);
    assert_eq!(ru.duration(Minutes::new(120)), "2 часа");
    assert_eq!(ru.duration(Minutes::new(90)), "1 час 30 минут");
    assert_eq!(ru.duration(Minutes::new(24 * 60)), "1 день");
    assert_eq!(
        Texts::new(Locale::En).duration(Minutes::new(5)),
        "5 minutes"
    );
}

#[test]
fn placeholders_are_filled() {
    let en = Texts::new(Locale::En);
    assert_eq!(
        en.fill(Key::Menu, &[("business", "Salon")]),
        "Salon: how can we help?"
    );
}

#[test]
fn rejections_differ_by_locale() {
    let r = BookingRejection::CancelCutoffPassed {
        cutoff: Minutes::new(120),
    };
    assert!(Texts::new(Locale::Ru).rejection(&r).contains("2 часа"));
    assert!(Texts::new(Locale::En).rejection(&r).contains("2 hours"));
}
