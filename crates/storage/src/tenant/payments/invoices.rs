//! Invoices for held bookings (table `invoices`): issued when a customer confirms a service
//! that asks for money, found again by their random payload, paid once, void when the hold
//! lapses or is given up.
