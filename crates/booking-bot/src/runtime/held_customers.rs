//! The customers a bot served recently, held between their presses (issue 21): a press of a
//! customer held here reads no customer row, and one whose screen reads nothing else opens no
//! transaction at all.
//!
//! A row is forgotten when this process changes it (the language, the phone, a block) and when
//! the database announces a change made anywhere else (`Part::Customer`, tenant migration
//! 0019); everything is forgotten when the listening connection was lost. What a held row
//! decides is only what a screen shows: every booking rule is read again in the booking's own
//! transaction, and the database refuses what breaks them.

use std::{
    collections::HashMap,
    sync::{
        Mutex, PoisonError,
        atomic::{AtomicU64, Ordering},
    },
};

use booking_core::ids::TelegramUserId;
use storage::tenant::customers::Customer;

/// How many customers one tenant's bot holds at most; past it, it starts over (a rough bound
/// that needs no eviction order: the next press of each reads its row again).
const MOST: usize = 10_000;

/// The rows held, with a count of forgets so that a row read before a forget is not kept.
#[derive(Debug, Default)]
pub struct HeldCustomers {
    rows: Mutex<HashMap<TelegramUserId, Customer>>,
    generation: AtomicU64,
}

/// Where a reading of rows began: [`HeldCustomers::keep`] keeps what it read only if nothing
/// was forgotten since.
#[derive(Clone, Copy, Debug)]
pub struct Reading(u64);

impl HeldCustomers {
    /// The customer's row, if held.
    #[must_use]
    pub fn get(&self, id: TelegramUserId) -> Option<Customer> {
        self.lock().get(&id).cloned()
    }

    /// Marks the start of a reading, before the row is read.
    #[must_use]
    pub fn reading(&self) -> Reading {
        Reading(self.generation.load(Ordering::Acquire))
    }

    /// Holds a row read since `since`, unless something was forgotten meanwhile (the row read
    /// may be the one just replaced).
    pub fn keep(&self, since: Reading, customer: &Customer) {
        let mut rows = self.lock();
        if self.generation.load(Ordering::Acquire) != since.0 {
            return;
        }
        if rows.len() >= MOST {
            rows.clear();
        }
        rows.insert(customer.telegram_user_id, customer.clone());
    }

    /// Forgets one customer: the next press reads the row again.
    pub fn forget(&self, id: TelegramUserId) {
        let mut rows = self.lock();
        self.generation.fetch_add(1, Ordering::AcqRel);
        rows.remove(&id);
    }

    /// Forgets every customer (the announcements of changes may have been missed).
    pub fn forget_all(&self) {
        let mut rows = self.lock();
        self.generation.fetch_add(1, Ordering::AcqRel);
        rows.clear();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<TelegramUserId, Customer>> {
        self.rows.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use booking_core::ids::CustomerId;

    fn customer(id: i64) -> Customer {
        Customer {
            id: CustomerId(id),
            telegram_user_id: TelegramUserId(id),
            first_name: "Anna".to_owned(),
            last_name: None,
            username: None,
            phone: None,
            locale: None,
            source: None,
            blocked_bot_at: None,
        }
    }

    #[test]
    fn a_row_read_before_a_forget_is_not_kept() {
        let held = HeldCustomers::default();
        let before = held.reading();
        held.forget(TelegramUserId(1));
        held.keep(before, &customer(1));
        assert!(held.get(TelegramUserId(1)).is_none());

        let after = held.reading();
        held.keep(after, &customer(1));
        assert_eq!(
            held.get(TelegramUserId(1)).map(|c| c.id),
            Some(CustomerId(1))
        );
        held.forget(TelegramUserId(1));
        assert!(held.get(TelegramUserId(1)).is_none());
    }

    #[test]
    fn past_the_bound_it_starts_over() {
        let held = HeldCustomers::default();
        for id in 0..=i64::try_from(MOST).unwrap() {
            held.keep(held.reading(), &customer(id));
        }
        assert!(held.lock().len() <= MOST);
        assert!(
            held.get(TelegramUserId(i64::try_from(MOST).unwrap()))
                .is_some()
        );
    }
}
