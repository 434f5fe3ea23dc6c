-- Orders a buyer leaves unpaid are capped (storage/src/control/orders.rs counts them with this
-- index), and a flagged order (its payment did not match it) is no longer polled forever:
-- reconciliation re-checks it a few times, then leaves it for an operator with an alert.
create index orders_pending_buyer on control.orders (telegram_user_id) where status = 'pending';

alter table control.orders
    -- When the order was first flagged (review_reason set).
    add column flagged_at          timestamptz,
    -- Re-checks of the flagged order's payment by reconciliation.
    add column review_checks       integer not null default 0 check (review_checks >= 0),
    -- Reconciliation stopped looking at it; an operator was alerted.
    add column left_for_review_at  timestamptz;

-- Orders flagged before this migration count from now.
update control.orders set flagged_at = now() where review_reason is not null;
