//! Who may do what in the panel. Read from the database on every press and every typed step,
//! never from the button or the dialogue, so a demoted admin's old buttons do nothing.

use booking_core::ids::{StaffId, TelegramUserId};
use storage::{
    TenantTx,
    tenant::admins::{self, Admin, AdminRole},
};

use super::callback::AdminAction;
use crate::error::BotError;

/// An admin, as the database says right now.
#[derive(Clone, Debug)]
pub struct Acting {
    pub id: TelegramUserId,
    pub role: AdminRole,
    pub name: String,
}

impl Acting {
    /// Owners and admins run the whole business; staff only their own schedule.
    #[must_use]
    pub const fn is_manager(&self) -> bool {
        matches!(self.role, AdminRole::Owner | AdminRole::Admin)
    }

    #[must_use]
    pub const fn is_owner(&self) -> bool {
        matches!(self.role, AdminRole::Owner)
    }

    /// The staff member whose schedule this admin is limited to, if any.
    #[must_use]
    pub const fn own_staff(&self) -> Option<StaffId> {
        match self.role {
            AdminRole::Staff(id) => Some(id),
            AdminRole::Owner | AdminRole::Admin => None,
        }
    }

    /// Whether this admin may see and change `staff`'s schedule.
    #[must_use]
    pub fn may_manage(&self, staff: StaffId) -> bool {
        self.own_staff().is_none_or(|own| own == staff)
    }

    /// Whether this admin may view a schedule filtered to `staff` (`None` = everyone).
    #[must_use]
    pub fn may_view(&self, staff: Option<StaffId>) -> bool {
        match (self.own_staff(), staff) {
            (None, _) => true,
            (Some(own), Some(s)) => own == s,
            (Some(_), None) => false,
        }
    }

    /// Whether the action is allowed on what the button itself names. Actions on a booking or
    /// a block also check that object's staff member once it is loaded.
    #[must_use]
    pub fn allows(&self, action: AdminAction) -> bool {
        use AdminAction as A;
        match action {
            A::Menu
            | A::Booking(_)
            | A::Done(_)
            | A::NoShow(_)
            | A::CancelAsk(_)
            | A::CancelYes(_)
            | A::Move(_)
            | A::NoteBooking(_)
            | A::NoteCustomer(_)
            | A::PhoneIn
            | A::PhoneInService(_)
            // Checked against the planned series' staff member when it is booked.
            | A::PhoneInSeries(_)
            | A::Availability
            | A::Blocks
            | A::Unblock(_)
            // Read with the admin's own staff member as the filter, whatever the button says.
            | A::Waitlist(_)
            // The change it confirms is checked against the role when it is made.
            | A::Preview(_) => true,
            A::Day { staff, .. } | A::Week { staff, .. } => self.may_view(staff),
            A::PhoneInStaff(_, staff) | A::CantWorkAsk(staff) | A::CantWorkYes(staff) => {
                self.may_manage(staff)
            }
            // A staff member keeps their own feed; the business's is for managers.
            A::BlockNew(staff) | A::Feed(staff) | A::FeedNew(staff) | A::FeedRevoke(staff) => {
                self.may_view(staff)
            }
            A::Hours(_)
            | A::Exception(_)
            | A::Policy
            | A::Services
            | A::Service(_)
            | A::ServiceToggle(_)
            | A::ServiceUp(_)
            | A::ServiceEdit(..)
            | A::ServiceNew
            | A::StaffList
            | A::StaffItem(_)
            | A::StaffToggle(_)
            | A::StaffUp(_)
            | A::StaffRename(_)
            | A::StaffGives(..)
            | A::StaffNew
            | A::Audit(_)
            | A::AuditCsv
            | A::Exports
            | A::ExportBookings
            | A::ExportCustomers
            | A::Broadcast
            | A::BroadcastSegment(_)
            | A::BroadcastSend(_)
            | A::BroadcastDrop(_)
            | A::BroadcastStop(_)
            | A::AnalyticsMenu
            | A::Analytics(_)
            | A::TextsPage(_)
            | A::TextKey(_)
            | A::TextSet(..)
            | A::TextReset(..)
            | A::Setup
            | A::ProfileEdit(_)
            | A::Links
            | A::LinkQr(_)
            | A::Repeat
            | A::RepeatService(_)
            | A::RepeatSet(..)
            | A::WinBackSet(..)
            | A::ServicePay(_)
            | A::ServicePaySet(..) => self.is_manager(),
            // The business's money: the owner's alone.
            A::PayAccount
            | A::PayAccountAsk(_)
            | A::PayAccountClear(_)
            | A::PayVatMenu
            | A::PayVat(_) => self.is_owner(),
            // Money: the business's managers, never a staff member.
            A::Refunds
            | A::RefundDone(_)
            | A::RefundGive(_)
            | A::RefundKeep(_) => self.is_manager(),
            A::Admins
            | A::AdminItem(_)
            | A::AdminSetRole(..)
            | A::AdminRemoveAsk(_)
            | A::AdminRemove(_)
            | A::AdminAdd => self.is_owner(),
        }
    }
}

impl From<Admin> for Acting {
    fn from(a: Admin) -> Self {
        Self {
            id: a.telegram_user_id,
            role: a.role,
            name: a.name,
        }
    }
}

/// The admin behind `who`, or `None` for anyone else; their row stays locked against a
/// change of role until `tx` ends.
pub async fn load(tx: &mut TenantTx, who: TelegramUserId) -> Result<Option<Acting>, BotError> {
    Ok(admins::get_locked(tx, who).await?.map(Acting::from))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn acting(role: AdminRole) -> Acting {
        Acting {
            id: TelegramUserId(1),
            role,
            name: String::new(),
        }
    }

    #[test]
    fn staff_are_limited_to_their_own_schedule() {
        let staff = acting(AdminRole::Staff(StaffId(5)));
        assert!(staff.may_manage(StaffId(5)));
        assert!(!staff.may_manage(StaffId(6)));
        assert!(!staff.may_view(None));
        assert!(!staff.allows(AdminAction::Policy));
        assert!(!staff.allows(AdminAction::CantWorkYes(StaffId(6))));
        assert!(staff.allows(AdminAction::FeedNew(Some(StaffId(5)))));
        assert!(!staff.allows(AdminAction::FeedNew(Some(StaffId(6)))));
        assert!(!staff.allows(AdminAction::FeedRevoke(None)));
        let admin = acting(AdminRole::Admin);
        assert!(admin.may_view(None) && admin.allows(AdminAction::Policy));
        assert!(!admin.is_owner());
    }
}
