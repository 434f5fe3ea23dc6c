-- Messages for the platform's operators: failed deployments, new payments, subscriptions about
-- to expire. Any service raises one (in its own transaction when it has one); the operator bot
-- delivers each to the allowlisted operators and marks it sent. The dedupe key makes raising
-- idempotent, so a producer that retries (a redelivered webhook, a re-run job) alerts once.
create table control.operator_alerts (
    alert_id      bigint generated always as identity primary key,
    kind          text not null check (kind ~ '^[a-z_]{1,40}$'),
    tenant_id     bigint references control.tenants on delete set null,
    message       text not null check (length(message) between 1 and 3000),
    dedupe_key    text unique,
    attempts      integer not null default 0,
    -- A deliverer's lease: a deliverer killed mid-send leaves it to lapse.
    locked_until  timestamptz,
    sent_at       timestamptz,
    last_error    text,
    created_at    timestamptz not null default now()
);
create index operator_alerts_unsent on control.operator_alerts (alert_id) where sent_at is null;
