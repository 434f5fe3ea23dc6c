//! YooKassa API v3 objects, as much of them as the platform reads or sends. Unknown fields are
//! ignored, so a field YooKassa adds later breaks nothing.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::money::Amount;

/// Where a payment is. `succeeded` and `canceled` are final.
#[derive(Copy, Clone, Eq, PartialEq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentStatus {
    Pending,
    WaitingForCapture,
    Succeeded,
    Canceled,
}

impl PaymentStatus {
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::WaitingForCapture => "waiting_for_capture",
            Self::Succeeded => "succeeded",
            Self::Canceled => "canceled",
        }
    }

    /// The notification event that announces this status, if any (there is no
    /// `payment.pending`).
    #[must_use]
    pub const fn event(self) -> Option<&'static str> {
        match self {
            Self::Pending => None,
            Self::WaitingForCapture => Some("payment.waiting_for_capture"),
            Self::Succeeded => Some("payment.succeeded"),
            Self::Canceled => Some("payment.canceled"),
        }
    }
}

/// A payment object (create and get answers, a notification's `object`).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Payment {
    pub id: String,
    pub status: PaymentStatus,
    #[serde(default)]
    pub paid: bool,
    pub amount: Amount,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirmation: Option<Confirmation>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default)]
    pub metadata: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_method: Option<PaymentMethod>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancellation_details: Option<CancellationDetails>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipient: Option<Recipient>,
    #[serde(default)]
    pub test: bool,
    #[serde(default)]
    pub refundable: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refunded_amount: Option<Amount>,
    pub created_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub captured_at: Option<String>,
}

impl Payment {
    /// The saved payment method, when YooKassa really saved it (only then may renewals use it).
    #[must_use]
    pub fn saved_method(&self) -> Option<&str> {
        self.payment_method
            .as_ref()
            .filter(|m| m.saved)
            .map(|m| m.id.as_str())
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Confirmation {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirmation_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub return_url: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PaymentMethod {
    #[serde(rename = "type")]
    pub kind: String,
    pub id: String,
    #[serde(default)]
    pub saved: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CancellationDetails {
    pub party: String,
    pub reason: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Recipient {
    pub account_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gateway_id: Option<String>,
}

/// `POST /payments`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct CreatePayment {
    pub amount: Amount,
    /// Always true here: the default (false) leaves a paid order waiting for a capture that
    /// never comes, and YooKassa cancels it.
    pub capture: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirmation: Option<ConfirmationRequest>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default)]
    pub metadata: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receipt: Option<Receipt>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub save_payment_method: Option<bool>,
    /// A saved method: a renewal charged without the buyer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_method_id: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct ConfirmationRequest {
    #[serde(rename = "type")]
    pub kind: String,
    pub return_url: String,
}

/// A 54-FZ receipt.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Receipt {
    pub customer: ReceiptCustomer,
    pub items: Vec<ReceiptItem>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_system_code: Option<u8>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct ReceiptCustomer {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct ReceiptItem {
    pub description: String,
    pub quantity: String,
    /// The unit price.
    pub amount: Amount,
    pub vat_code: u8,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_mode: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_subject: Option<String>,
}

/// `POST /refunds`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct CreateRefund {
    pub payment_id: String,
    pub amount: Amount,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// A refund object.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Refund {
    pub id: String,
    pub payment_id: String,
    /// `pending`, `succeeded` or `canceled`.
    pub status: String,
    pub amount: Amount,
    pub created_at: String,
}

/// YooKassa's error body.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ApiErrorBody {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameter: Option<String>,
    /// Milliseconds to wait before trying again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
}

/// A notification's envelope. There is no id, timestamp or signature in it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Notification {
    #[serde(rename = "type")]
    pub kind: String,
    pub event: String,
    pub object: NotificationObject,
}

/// Only the id of a notification's object is read: everything else comes from the API.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct NotificationObject {
    pub id: String,
}
