//! Refunds (table `refunds`): at most one per payment, through YooKassa's refunds API with a
//! stable idempotence key, or by the owner's hand.
