//! Round trips of every admin button, and what forged data gets.

use super::*;

/// One of each kind, with the largest ids, so the length limit is tested at its worst.
pub(crate) fn one_of_each() -> Vec<AdminAction> {
    use AdminAction as A;
    let big = i64::MAX;
    let date = NaiveDate::from_ymd_opt(2027, 12, 31).unwrap();
    vec![
        A::Menu,
        A::Day {
            staff: Some(StaffId(big)),
            date,
        },
        A::Week { staff: None, date },
        A::Booking(BookingId(big)),
        A::Done(BookingId(big)),
        A::NoShow(BookingId(big)),
        A::CancelAsk(BookingId(big)),
        A::CancelYes(BookingId(big)),
        A::Move(BookingId(big)),
        A::NoteBooking(BookingId(big)),
        A::NoteCustomer(BookingId(big)),
        A::PhoneIn,
        A::PhoneInService(ServiceId(big)),
        A::PhoneInStaff(ServiceId(big), StaffId(big)),
        A::Availability,
        A::Blocks,
        A::BlockNew(None),
        A::Unblock(BlockId(big)),
        A::Hours(Some(StaffId(big))),
        A::Exception(None),
        A::Policy,
        A::CantWorkAsk(StaffId(big)),
        A::CantWorkYes(StaffId(big)),
        A::Services,
        A::Service(ServiceId(big)),
        A::ServiceToggle(ServiceId(big)),
        A::ServiceUp(ServiceId(big)),
        A::ServiceEdit(ServiceId(big), Field::BufferAfter),
        A::ServiceNew,
        A::StaffList,
        A::StaffItem(StaffId(big)),
        A::StaffToggle(StaffId(big)),
        A::StaffUp(StaffId(big)),
        A::StaffRename(StaffId(big)),
        A::StaffGives(StaffId(big), ServiceId(big)),
        A::StaffNew,
        A::Admins,
        A::AdminItem(TelegramUserId(big)),
        A::AdminSetRole(TelegramUserId(big), RoleCode::Staff(StaffId(big))),
        A::AdminRemoveAsk(TelegramUserId(big)),
        A::AdminRemove(TelegramUserId(big)),
        A::AdminAdd,
        A::Audit(u32::MAX),
        A::AuditCsv,
        A::Exports,
        A::ExportBookings,
        A::ExportCustomers,
        A::Broadcast,
        A::BroadcastSegment(Audience::Visited90),
        A::BroadcastSend(u64::try_from(big).unwrap()),
        A::BroadcastDrop(1),
        A::BroadcastStop(u64::try_from(big).unwrap()),
        A::AnalyticsMenu,
        A::Analytics(Report::Sources),
        A::TextsPage(u32::MAX),
        A::TextKey(Key::ALL[0]),
        A::TextSet(*Key::ALL.last().unwrap(), Locale::Ru),
        A::TextReset(Key::ALL[1], Locale::En),
        A::Preview(PreviewChoice::Keep),
        A::Setup,
        A::ProfileEdit(ProfileField::Contacts),
        A::Links,
        A::LinkQr(LinkTarget::Staff(StaffId(big))),
        A::Feed(Some(StaffId(big))),
        A::FeedNew(None),
        A::FeedRevoke(Some(StaffId(big))),
        A::Repeat,
        A::RepeatService(ServiceId(big)),
        A::RepeatSet(ServiceId(big), 365),
        A::WinBackSet(WinBackKind::Cancelled, 0),
        A::PhoneInSeries(true),
        A::Waitlist(u32::MAX),
        A::Refunds,
        A::RefundDone(big),
        A::RefundGive(big),
        A::RefundKeep(1),
        A::ServicePay(ServiceId(big)),
        A::ServicePaySet(ServiceId(big), payment::PayChoice::Timeout(1440)),
        A::PayAccount,
        A::PayAccountAsk(payment::AccountPart::Token),
        A::PayAccountClear(payment::AccountPart::Shop),
        A::PayVatMenu,
        A::PayVat(Some(12)),
    ]
}

#[test]
fn every_kind_round_trips_within_telegrams_limit() {
    let all = one_of_each();
    let tags: Vec<&str> = all.iter().map(|a| a.tag()).collect();
    assert_eq!(tags, AdminAction::TAGS, "one example per tag, in order");
    for action in all {
        let text = action.to_string();
        assert!(text.len() <= MAX_LEN, "{text} is too long");
        assert!(AdminAction::is_admin_data(&text), "{text}");
        assert_eq!(text.parse::<AdminAction>(), Ok(action), "{text}");
    }
}

#[test]
fn every_text_key_fits_a_button() {
    for key in Key::ALL {
        let data = AdminAction::TextReset(*key, Locale::Ru).to_string();
        assert!(data.len() <= MAX_LEN, "{data}");
        assert_eq!(data.parse(), Ok(AdminAction::TextReset(*key, Locale::Ru)));
    }
}

#[test]
fn garbage_is_refused() {
    for garbage in [
        "",
        "a1:",
        "a1:zz",
        "a1:b",
        "a1:b:0",
        "a1:b:-1",
        "a1:b:1:2",
        "a1:m:1",
        "a1:d:*",
        "a1:d:*:20270230",
        "a1:pf:1",
        "a1:c:*",
        "a2:m",
        "v1:m:main",
    ] {
        assert_eq!(
            garbage.parse::<AdminAction>(),
            Err(Malformed),
            "{garbage:?}"
        );
    }
    assert!(AdminAction::is_admin_data("a2:m"));
    assert!(!AdminAction::is_admin_data("v1:m:main"));
}
