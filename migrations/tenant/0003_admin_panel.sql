-- The admin panel (issue 5).

-- A customer who phoned in has no Telegram account, yet customers.telegram_user_id is the
-- customer's identity and is not null. Telegram user ids are positive, so such customers get
-- negative ids from this sequence: unique, never a real chat, and every sender skips them.
create sequence offline_customer_seq;

-- The audit log is read newest first per actor too (a staff member's own actions).
create index audit_log_actor on audit_log (actor_id, at desc);

-- Analytics group live and finished bookings by day; this keeps those scans on an index.
create index bookings_status_starts on bookings (status, starts_at);
