//! `/start <payload>` deep links: `s<service id>` preselects a service, `m<staff id>` a staff
//! member, `src_<tag>` / `promo_<tag>` is a source tag recorded for analytics; several are
//! joined with `-` (`s3-m2-src_insta`). Everything is re-checked on the server (the service
//! must be active, the staff member must give it); what does not check out is ignored with a
//! polite word, and the customer gets the menu.
//!
//! A first visit whose Telegram speaks neither of our languages chooses one before anything
//! else; the link waits in the dialogue state ([`State::Welcome`]) and is followed right after.

use crate::runtime::context::Cx;
use booking_core::ids::{ServiceId, StaffId};
use storage::tenant::{catalogue, sources};

use super::{booking, context::Visit, start};
use crate::{
    customer::keyboards, customer::state::State, error::BotError, runtime::telegram::spoken_locale,
    texts::Key,
};
use bot_kit::Reply;

/// The longest source tag kept (Telegram's payload is at most 64 characters anyway).
const MAX_TAG: usize = 64;

/// A parsed deep-link payload.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DeepLink {
    pub service: Option<ServiceId>,
    pub staff: Option<StaffId>,
    pub source: Option<String>,
    /// Some part was not understood (and was ignored).
    pub unknown: bool,
}

impl DeepLink {
    /// Parses a payload; never fails, unknown parts are flagged.
    #[must_use]
    pub fn parse(payload: &str) -> Self {
        let mut link = Self::default();
        let payload = payload.trim();
        if payload.is_empty() {
            return link;
        }
        let allowed = payload.len() <= 64
            && payload
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if !allowed {
            link.unknown = true;
            return link;
        }
        for part in payload.split('-') {
            if let Some(id) = part.strip_prefix('s').and_then(positive) {
                link.service = Some(ServiceId(id));
            } else if let Some(id) = part.strip_prefix('m').and_then(positive) {
                link.staff = Some(StaffId(id));
            } else if is_tag(part) {
                link.source = Some(part.chars().take(MAX_TAG).collect());
            } else {
                link.unknown = true;
            }
        }
        link
    }

    /// Whether it preselects anything.
    #[must_use]
    pub const fn preselects(&self) -> bool {
        self.service.is_some() || self.staff.is_some()
    }
}

fn positive(s: &str) -> Option<i64> {
    (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
        .filter(|n| *n > 0)
}

fn is_tag(part: &str) -> bool {
    ["src_", "promo_"].iter().any(|prefix| {
        part.strip_prefix(prefix).is_some_and(|tag| {
            !tag.is_empty() && tag.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        })
    })
}

/// /start with or without a payload. The source was recorded when the session loaded.
pub async fn start(cx: &Cx<'_, Visit>, payload: &str) -> Result<Reply, BotError> {
    let link = DeepLink::parse(payload);
    if let Some(tag) = &link.source {
        let mut tx = cx.tx().await?;
        sources::record(&mut tx, cx.who.session.customer.id, tag).await?;
        tx.commit().await?;
    }
    if cx.who.session.is_new() {
        if let Some(locale) = spoken_locale(cx.user) {
            return start::settle_language(cx, locale, Some(&link)).await;
        }
        let reply = start::start(cx).await?;
        if link.preselects() {
            cx.set_state(State::Welcome {
                service: link.service,
                staff: link.staff,
            })
            .await?;
        }
        return Ok(reply);
    }
    follow(cx, &link).await
}

/// Goes where the link points, or to the menu (with a word if the link was not understood).
pub async fn follow(cx: &Cx<'_, Visit>, link: &DeepLink) -> Result<Reply, BotError> {
    let t = cx.texts();
    let mut tx = cx.tx().await?;
    // A service nobody gives is not offered, by a link either.
    let service = match link.service {
        Some(id) => catalogue::bookable_services(&mut tx)
            .await?
            .into_iter()
            .find(|s| s.id == id),
        None => None,
    };
    let staff = match link.staff {
        Some(id) => catalogue::staff(&mut tx, false)
            .await?
            .into_iter()
            .find(|s| s.id == id),
        None => None,
    };
    let gives = match (&service, &staff) {
        (Some(s), Some(m)) => catalogue::staff_for_service(&mut tx, s.id)
            .await?
            .iter()
            .any(|g| g.id == m.id),
        _ => false,
    };
    tx.commit().await?;
    let understood = !link.unknown
        && link.service.is_none_or(|_| service.is_some())
        && link.staff.is_none_or(|_| staff.is_some())
        && (service.is_none() || staff.is_none() || gives);
    if !understood {
        let mut reply = start::menu(cx).await?;
        reply.others.push(bot_kit::Outgoing {
            chat: cx.who.dialogue.chat_id(),
            text: t.get(Key::LinkUnknown).to_owned(),
            markup: None,
        });
        return Ok(reply);
    }
    match (service, staff) {
        (Some(s), Some(m)) => {
            let chosen = cx.with_state(State::ChoosingStaff { service: s.id });
            booking::staff_chosen(&chosen, Some(m.id)).await
        }
        (Some(s), None) => booking::service_chosen(cx, s.id).await,
        (None, Some(m)) => services_of(cx, m.id).await,
        (None, None) => start::menu(cx).await,
    }
}

/// The services one staff member gives; choosing one goes straight to their calendar.
async fn services_of(cx: &Cx<'_, Visit>, staff: StaffId) -> Result<Reply, BotError> {
    let t = cx.texts();
    let mut tx = cx.tx().await?;
    let mut given = Vec::new();
    for s in catalogue::services(&mut tx, false).await? {
        if catalogue::staff_for_service(&mut tx, s.id)
            .await?
            .iter()
            .any(|g| g.id == staff)
        {
            given.push(s);
        }
    }
    tx.commit().await?;
    if given.is_empty() {
        return start::menu(cx).await;
    }
    cx.set_state(State::ChoosingService { staff }).await?;
    Ok(Reply::screen(
        t.get(Key::ChooseService),
        keyboards::services(t, &given, cx.who.session.profile.currency),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_are_parsed_and_unknown_parts_flagged() {
        assert_eq!(
            DeepLink::parse("s3-m2-src_insta"),
            DeepLink {
                service: Some(ServiceId(3)),
                staff: Some(StaffId(2)),
                source: Some("src_insta".into()),
                unknown: false,
            }
        );
        assert_eq!(
            DeepLink::parse("promo_autumn").source.as_deref(),
            Some("promo_autumn")
        );
        assert_eq!(DeepLink::parse(""), DeepLink::default());
        for bad in ["s0", "s-1", "sx", "m", "hello", "src_", "a b", "s1;drop"] {
            assert!(DeepLink::parse(bad).unknown, "{bad}");
        }
        let partly = DeepLink::parse("s5-what");
        assert_eq!(partly.service, Some(ServiceId(5)));
        assert!(partly.unknown);
    }
}
