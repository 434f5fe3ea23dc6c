//! Time zones: the common Russian ones offered as buttons, any IANA name accepted as text.

use std::str::FromStr;

use booking_core::Tz;

/// Offered as buttons, west to east.
pub const OFFERED: [(&str, &str); 11] = [
    ("Europe/Kaliningrad", "Калининград UTC+2"),
    ("Europe/Moscow", "Москва UTC+3"),
    ("Europe/Samara", "Самара UTC+4"),
    ("Asia/Yekaterinburg", "Екатеринбург UTC+5"),
    ("Asia/Omsk", "Омск UTC+6"),
    ("Asia/Novosibirsk", "Новосибирск UTC+7"),
    ("Asia/Krasnoyarsk", "Красноярск UTC+7"),
    ("Asia/Irkutsk", "Иркутск UTC+8"),
    ("Asia/Yakutsk", "Якутск UTC+9"),
    ("Asia/Vladivostok", "Владивосток UTC+10"),
    ("Asia/Kamchatka", "Камчатка UTC+12"),
];

/// The zone of an offered button, if the index is one.
#[must_use]
pub fn offered(index: u8) -> Option<Tz> {
    OFFERED
        .get(usize::from(index))
        .and_then(|(name, _)| Tz::from_str(name).ok())
}

/// A zone typed by the buyer: an IANA name, case as IANA writes it or not.
#[must_use]
pub fn parse(text: &str) -> Option<Tz> {
    let text = text.trim();
    Tz::from_str(text).ok().or_else(|| {
        chrono_tz::TZ_VARIANTS
            .iter()
            .find(|z| z.name().eq_ignore_ascii_case(text))
            .copied()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_offered_zone_exists_and_typed_names_are_checked() {
        for i in 0..OFFERED.len() {
            assert!(offered(u8::try_from(i).unwrap()).is_some());
        }
        assert!(offered(200).is_none());
        assert_eq!(parse("europe/moscow"), Some(Tz::Europe__Moscow));
        assert_eq!(parse(" Asia/Yekaterinburg "), Some(Tz::Asia__Yekaterinburg));
        assert_eq!(parse("Mars/Olympus"), None);
        assert_eq!(parse("UTC+3"), None);
    }
}
