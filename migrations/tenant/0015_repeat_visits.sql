-- Bringing customers back: the next-visit nudge (per service, that many days after a visit)
-- and the win-back after a no-show or the customer's own cancellation (per kind, in the
-- 'repeat_messages' setting). Both are outbox rows ('nudge', 'win_back') scheduled in the
-- booking's own transaction and checked again when they fall due.

-- Days after a visit that the customer is offered the next one; null: no nudge.
alter table services add column repeat_after_days integer
    check (repeat_after_days between 1 and 365);

-- The customer pressed "stop these messages": no nudge or win-back reaches them again
-- (reminders and notices about their own bookings still do).
alter table customers add column repeat_messages_stopped_at timestamptz;
