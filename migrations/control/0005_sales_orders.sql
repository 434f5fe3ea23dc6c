-- What the sales bot needs beyond 0001's orders, payments and payment_events.

-- An order carries everything needed to create the tenant once it is paid: the buyer's bot
-- (checked with getMe before the payment; the token sealed with the data key, never plain),
-- the language the buyer spoke, and the YooKassa payment made for it.
alter table control.orders
    -- 'new' creates a tenant when paid; 'renewal' extends tenant_id's subscription, charged
    -- to the saved payment method.
    add column kind              text not null default 'new' check (kind in ('new', 'renewal')),
    add column locale            text not null default 'ru' check (locale in ('ru', 'en')),
    add column bot_username      text,
    add column bot_token_enc     bytea,
    -- YooKassa's id of the payment created with this order's idempotence key.
    add column payment_id        text unique,
    add column confirmation_url  text,
    -- 54-FZ receipts need the buyer's email or phone (only when receipts are configured).
    add column receipt_email     text,
    -- Set when a payment for this order did not match it (amount, currency, shop, test flag):
    -- nothing is activated and an operator looks at it.
    add column review_reason     text,
    -- After the order is paid: the tenant was provisioned and its deploy queued...
    add column provisioned_at    timestamptz,
    -- ...and the buyer was told that their bot is live.
    add column live_notified_at  timestamptz;

create index orders_pending on control.orders (created_at) where status = 'pending';
create index orders_unprovisioned on control.orders (paid_at)
    where status = 'paid' and provisioned_at is null;
create index orders_unnotified on control.orders (paid_at)
    where status = 'paid' and live_notified_at is null;

-- A free trial is given once per Telegram user, whatever happens to its tenant later.
create table control.trials (
    telegram_user_id  bigint primary key,
    tenant_id         bigint references control.tenants on delete set null,
    created_at        timestamptz not null default now()
);

-- Refunds, recorded from refund.succeeded notifications (after fetching the refund again).
create table control.refunds (
    refund_id     text primary key, -- YooKassa's id
    payment_id    text not null,
    status        text not null,
    amount_minor  bigint not null check (amount_minor >= 0),
    currency      text not null,
    created_at    timestamptz not null default now()
);
