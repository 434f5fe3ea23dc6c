-- Refunds (issue 19): a no-show under a 'cutoff' policy that keeps less than all of the payment
-- gives the rest back, and that refund's reason is its own (0020 named only cancellations and
-- payments that came late or twice).
alter table refunds drop constraint refunds_reason_check;
alter table refunds add constraint refunds_reason_check check (reason in (
    'cancelled_in_time', 'cancelled_late', 'cancelled_by_business', 'no_show', 'late_payment',
    'duplicate_payment', 'owner_choice'));
