//! Setting what a service asks its customers to pay at booking (issue 19): its prepayment,
//! payment timeout and refund policy (columns of `services`, tenant migration 0020).
//!
//! The `services` trigger announces the change on `tenant_changed`, as for every other edit of
//! the catalogue, so every process holding the tenant's configuration reloads it.

use booking_core::{
    ids::ServiceId,
    payment::{Deposit, PaymentTerms, PaymentTermsError, Prepayment, RefundPolicy},
};

use crate::{db::TenantTx, error::StorageError};

/// What became of a change of terms.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum SetTerms {
    Done,
    /// There is no such service.
    NoService,
    /// The terms ask for money but the tenant has no provider token to send invoices with.
    NoProviderToken,
    /// Out of range (see [`PaymentTerms::validate`]).
    Invalid(PaymentTermsError),
}

/// Sets a service's payment terms, after validating them; a service may ask for money only
/// while the tenant's payment account has a provider token.
pub async fn set_payment_terms(
    tx: &mut TenantTx,
    id: ServiceId,
    terms: &PaymentTerms,
) -> Result<SetTerms, StorageError> {
    let terms = match terms.validate() {
        Ok(terms) => terms,
        Err(e) => return Ok(SetTerms::Invalid(e)),
    };
    if terms.prepayment != Prepayment::None && !has_provider_token(tx).await? {
        return Ok(SetTerms::NoProviderToken);
    }
    let (mode, fixed, percent) = match terms.prepayment {
        Prepayment::None => ("none", None, None),
        Prepayment::Full => ("full", None, None),
        Prepayment::Deposit(Deposit::Fixed(sum)) => ("deposit", Some(sum), None),
        Prepayment::Deposit(Deposit::Percent(p)) => ("deposit", None, Some(i16::from(p))),
    };
    let (policy, keep) = match terms.refund {
        RefundPolicy::Cutoff { keep_percent } => ("cutoff", Some(i16::from(keep_percent))),
        // The kept share is not used under the owner's policy; it stays as it was.
        RefundPolicy::Owner => ("owner", None),
    };
    let done = sqlx::query(
        "update services set prepayment = $2, deposit_minor = $3, deposit_percent = $4, \
             payment_timeout_min = $5, refund_policy = $6, \
             late_keep_percent = coalesce($7::smallint, late_keep_percent) \
         where service_id = $1",
    )
    .bind(id.get())
    .bind(mode)
    .bind(fixed)
    .bind(percent)
    .bind(i32::try_from(terms.timeout_min).unwrap_or(i32::MAX))
    .bind(policy)
    .bind(keep)
    .execute(tx.conn())
    .await?;
    Ok(if done.rows_affected() == 1 {
        SetTerms::Done
    } else {
        SetTerms::NoService
    })
}

/// Whether the tenant's payment account has a provider token (nothing is opened).
pub async fn has_provider_token(tx: &mut TenantTx) -> Result<bool, StorageError> {
    Ok(super::payments::settings::summary(tx)
        .await?
        .provider_token_set)
}
