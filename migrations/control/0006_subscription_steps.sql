-- The subscription monitor's steps (a warning N days before the period ends, past due,
-- suspended, reactivated), one row each. The unique key makes every step happen once per
-- period even across restarts and concurrent monitors: a step is taken by inserting its row in
-- the same transaction as its effects, and a second insert does nothing.
create table control.subscription_steps (
    subscription_step_id bigint generated always as identity primary key,
    subscription_id      bigint not null references control.subscriptions on delete cascade,
    tenant_id            bigint not null references control.tenants on delete cascade,
    period_end           timestamptz not null,
    step                 text not null check (step ~ '^[a-z0-9_]{1,40}$'),
    done_at              timestamptz not null,
    unique (subscription_id, period_end, step)
);
create index subscription_steps_latest on control.subscription_steps (subscription_id, subscription_step_id desc);

-- Which operator got which alert: the operator bot sends an alert to every allowlisted
-- operator, and one whose send failed is retried without repeating it to the others.
-- 'refused' is an operator Telegram will not let the bot write to (never started it, blocked
-- it): not retried for that alert.
create table control.operator_alert_deliveries (
    alert_id     bigint not null references control.operator_alerts on delete cascade,
    operator_id  bigint not null,
    outcome      text not null check (outcome in ('sent', 'refused')),
    at           timestamptz not null,
    primary key (alert_id, operator_id)
);
