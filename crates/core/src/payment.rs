//! Money a customer pays in advance for a booking (issue 19): what a service asks for, and
//! what of a payment goes back when the booking is cancelled or the customer does not come.
//!
//! Pure rules, shared by the booking bot (invoice, cancellation, no-show), the REST API and
//! the refund worker, so one sum is computed in one place. Sums are minor units (kopecks).

use serde::{Deserialize, Serialize};

/// What a booking of a service asks to be paid at booking time.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "snake_case")]
pub enum Prepayment {
    /// Nothing: the booking is made on Confirm, as before.
    #[default]
    None,
    /// A deposit: part of the price, kept on a late cancellation or a no-show.
    Deposit(Deposit),
    /// The whole price.
    Full,
}

/// How big a deposit is.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Deposit {
    /// A fixed sum, in minor units (never more than the price: see [`Prepayment::due`]).
    Fixed(i64),
    /// A whole percentage of the price, 1 to 100.
    Percent(u8),
}

/// What the customer is asked to pay: the kind, for the invoice's wording, and the sum.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Due {
    pub kind: PaidKind,
    pub amount_minor: i64,
}

/// A deposit or the full price, as the invoice and the booking card name it.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaidKind {
    Deposit,
    Full,
}

impl PaidKind {
    /// The column value (`invoices.kind`).
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Deposit => "deposit",
            Self::Full => "full",
        }
    }

    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "deposit" => Some(Self::Deposit),
            "full" => Some(Self::Full),
            _ => None,
        }
    }
}

impl Prepayment {
    /// What a booking at `price_minor` asks to be paid now; `None` when nothing is (no
    /// prepayment, or a free service: Telegram refuses an invoice of zero). A fixed deposit
    /// larger than the price asks for the price; a percentage rounds up to a whole kopeck.
    #[must_use]
    pub fn due(self, price_minor: i64) -> Option<Due> {
        if price_minor <= 0 {
            return None;
        }
        let (kind, amount_minor) = match self {
            Self::None => return None,
            Self::Full => (PaidKind::Full, price_minor),
            Self::Deposit(Deposit::Fixed(sum)) => (PaidKind::Deposit, sum.min(price_minor)),
            Self::Deposit(Deposit::Percent(p)) => {
                let p = i64::from(p.clamp(1, 100));
                (PaidKind::Deposit, (price_minor * p + 99) / 100)
            }
        };
        (amount_minor > 0).then_some(Due { kind, amount_minor })
    }

    /// Checks what an owner or the API sets: a deposit of 1 to 100 percent, or a positive sum.
    pub fn validate(self) -> Result<Self, PrepaymentError> {
        match self {
            Self::Deposit(Deposit::Percent(p)) if !(1..=100).contains(&p) => {
                Err(PrepaymentError::Percent)
            }
            Self::Deposit(Deposit::Fixed(sum)) if sum <= 0 => Err(PrepaymentError::Sum),
            other => Ok(other),
        }
    }
}

/// Why a prepayment setting is refused.
#[derive(Copy, Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PrepaymentError {
    #[error("a deposit's percentage is a whole number from 1 to 100")]
    Percent,
    #[error("a deposit's sum is more than zero")]
    Sum,
}

/// What happens to a payment when its booking is cancelled by the customer.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "policy", rename_all = "snake_case")]
pub enum RefundPolicy {
    /// Everything back until the cancellation cut-off; after it, and on a no-show,
    /// `keep_percent` of the payment is kept and the rest given back (100: nothing back).
    Cutoff { keep_percent: u8 },
    /// The owner decides each time whether to give it back.
    Owner,
}

impl Default for RefundPolicy {
    fn default() -> Self {
        Self::Cutoff { keep_percent: 100 }
    }
}

/// Why a booking that was paid for ended.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Ending {
    /// The customer cancelled; `in_time` when before the policy's cancellation cut-off.
    CustomerCancelled { in_time: bool },
    /// The business cancelled (an admin, a block, the API): never the customer's fault.
    BusinessCancelled,
    /// The customer did not come.
    NoShow,
}

/// What becomes of a payment: given back, kept, or the owner asked.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Settlement {
    /// `refund_minor` goes back and `keep_minor` stays; they add up to the payment.
    Split { refund_minor: i64, keep_minor: i64 },
    /// The owner chooses between giving it all back and keeping it.
    AskOwner,
}

impl RefundPolicy {
    /// Settles `paid_minor` for a booking that ended so.
    #[must_use]
    pub fn settle(self, paid_minor: i64, ending: Ending) -> Settlement {
        let paid = paid_minor.max(0);
        let all_back = Settlement::Split {
            refund_minor: paid,
            keep_minor: 0,
        };
        match (self, ending) {
            (_, Ending::BusinessCancelled) => all_back,
            (Self::Owner, _) => Settlement::AskOwner,
            (Self::Cutoff { .. }, Ending::CustomerCancelled { in_time: true }) => all_back,
            (
                Self::Cutoff { keep_percent },
                Ending::CustomerCancelled { in_time: false } | Ending::NoShow,
            ) => {
                // Kept rounds down, so a customer is never charged a kopeck more than the
                // stated share.
                let keep = paid * i64::from(keep_percent.min(100)) / 100;
                Settlement::Split {
                    refund_minor: paid - keep,
                    keep_minor: keep,
                }
            }
        }
    }
}

/// How long an unpaid hold waits for its payment, in minutes (default 15).
pub const DEFAULT_PAYMENT_TIMEOUT_MIN: u32 = 15;
/// The payment timeout's bounds, in minutes (`services.payment_timeout_min`).
pub const PAYMENT_TIMEOUT_MIN: std::ops::RangeInclusive<u32> = 5..=1440;

/// A service's money terms: what is paid at booking, how long the hold waits for it, and
/// what a cancellation gives back.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentTerms {
    pub prepayment: Prepayment,
    /// Minutes the held slot waits for the payment, within [`PAYMENT_TIMEOUT_MIN`].
    pub timeout_min: u32,
    pub refund: RefundPolicy,
}

impl PaymentTerms {
    /// Checks what an owner or the API sets: the prepayment (see [`Prepayment::validate`]),
    /// the timeout within [`PAYMENT_TIMEOUT_MIN`], and a kept share of at most 100 percent.
    pub fn validate(self) -> Result<Self, PaymentTermsError> {
        self.prepayment.validate()?;
        if !PAYMENT_TIMEOUT_MIN.contains(&self.timeout_min) {
            return Err(PaymentTermsError::Timeout);
        }
        if let RefundPolicy::Cutoff { keep_percent } = self.refund
            && keep_percent > 100
        {
            return Err(PaymentTermsError::KeepPercent);
        }
        Ok(self)
    }
}

/// Why a service's payment terms are refused.
#[derive(Copy, Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PaymentTermsError {
    #[error(transparent)]
    Prepayment(#[from] PrepaymentError),
    #[error("the payment timeout is 5 to 1440 minutes")]
    Timeout,
    #[error("the share kept after the cut-off is 0 to 100 percent")]
    KeepPercent,
}

impl Default for PaymentTerms {
    fn default() -> Self {
        Self {
            prepayment: Prepayment::None,
            timeout_min: DEFAULT_PAYMENT_TIMEOUT_MIN,
            refund: RefundPolicy::default(),
        }
    }
}

/// Whether `token` has the shape of a Telegram Payments provider token, as @BotFather gives
/// one (`<digits>:TEST:<secret>` or `<digits>:LIVE:<secret>`); only the Bot API can say whether
/// it works. Checked before it is sealed, so a pasted sentence is not stored as a token.
#[must_use]
pub fn looks_like_provider_token(token: &str) -> bool {
    let mut parts = token.splitn(3, ':');
    let (Some(id), Some(mode), Some(secret)) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    (1..=20).contains(&id.len())
        && id.bytes().all(|b| b.is_ascii_digit())
        && matches!(mode, "TEST" | "LIVE")
        && (1..=200).contains(&secret.len())
        && secret.bytes().all(|b| b.is_ascii_graphic())
}

/// Whether `id` is a YooKassa shop id (`shopId`: digits).
#[must_use]
pub fn looks_like_shop_id(id: &str) -> bool {
    (1..=20).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_digit())
}

/// Whether `key` has the shape of a YooKassa secret key (`test_…` or `live_…`).
#[must_use]
pub fn looks_like_shop_secret(key: &str) -> bool {
    (key.starts_with("test_") || key.starts_with("live_"))
        && (6..=200).contains(&key.len())
        && key.bytes().all(|b| b.is_ascii_graphic())
}

/// YooKassa's `vat_code` of a receipt's item (54-FZ), 1 to 12.
pub const VAT_CODES: std::ops::RangeInclusive<i16> = 1..=12;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_due() {
        assert_eq!(Prepayment::None.due(150_000), None);
        assert_eq!(
            Prepayment::Full.due(150_000),
            Some(Due {
                kind: PaidKind::Full,
                amount_minor: 150_000
            })
        );
        assert_eq!(
            Prepayment::Deposit(Deposit::Percent(30))
                .due(99_999)
                .map(|d| d.amount_minor),
            Some(30_000)
        );
        assert_eq!(
            Prepayment::Deposit(Deposit::Fixed(500_000))
                .due(150_000)
                .map(|d| d.amount_minor),
            Some(150_000)
        );
        assert_eq!(Prepayment::Full.due(0), None);
    }

    #[test]
    fn settings_out_of_range_are_refused() {
        assert_eq!(
            Prepayment::Deposit(Deposit::Percent(0)).validate(),
            Err(PrepaymentError::Percent)
        );
        assert_eq!(
            Prepayment::Deposit(Deposit::Percent(101)).validate(),
            Err(PrepaymentError::Percent)
        );
        assert_eq!(
            Prepayment::Deposit(Deposit::Fixed(0)).validate(),
            Err(PrepaymentError::Sum)
        );
        assert!(Prepayment::Deposit(Deposit::Fixed(1)).validate().is_ok());
    }

    #[test]
    fn terms_out_of_range_are_refused() {
        let ok = PaymentTerms::default();
        assert_eq!(ok.validate(), Ok(ok));
        let short = PaymentTerms {
            timeout_min: 4,
            ..ok
        };
        assert_eq!(short.validate(), Err(PaymentTermsError::Timeout));
        let greedy = PaymentTerms {
            refund: RefundPolicy::Cutoff { keep_percent: 101 },
            ..ok
        };
        assert_eq!(greedy.validate(), Err(PaymentTermsError::KeepPercent));
        let zero = PaymentTerms {
            prepayment: Prepayment::Deposit(Deposit::Percent(0)),
            ..ok
        };
        assert_eq!(
            zero.validate(),
            Err(PaymentTermsError::Prepayment(PrepaymentError::Percent))
        );
    }

    #[test]
    fn secret_shapes() {
        assert!(looks_like_provider_token("381764678:TEST:100500"));
        assert!(looks_like_provider_token("390540012:LIVE:a1b2"));
        assert!(!looks_like_provider_token("381764678:TEST:"));
        assert!(!looks_like_provider_token("123:abc"));
        assert!(!looks_like_provider_token(
            "here is my token 381764678:TEST:1"
        ));
        assert!(looks_like_shop_id("506751"));
        assert!(!looks_like_shop_id("shop"));
        assert!(looks_like_shop_secret("test_AbC-1"));
        assert!(!looks_like_shop_secret("secret"));
    }

    #[test]
    fn settling() {
        let cutoff = RefundPolicy::Cutoff { keep_percent: 100 };
        let split = |refund_minor, keep_minor| Settlement::Split {
            refund_minor,
            keep_minor,
        };
        assert_eq!(
            cutoff.settle(50_000, Ending::CustomerCancelled { in_time: true }),
            split(50_000, 0)
        );
        assert_eq!(
            cutoff.settle(50_000, Ending::CustomerCancelled { in_time: false }),
            split(0, 50_000)
        );
        assert_eq!(cutoff.settle(50_000, Ending::NoShow), split(0, 50_000));
        let half = RefundPolicy::Cutoff { keep_percent: 50 };
        assert_eq!(half.settle(33_333, Ending::NoShow), split(16_667, 16_666));
        assert_eq!(
            RefundPolicy::Owner.settle(50_000, Ending::NoShow),
            Settlement::AskOwner
        );
        // The business cancelling gives everything back whatever the policy.
        assert_eq!(
            RefundPolicy::Owner.settle(50_000, Ending::BusinessCancelled),
            split(50_000, 0)
        );
    }
}
