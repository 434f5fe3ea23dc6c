-- Prepayment and deposits (issue 19): a service may ask for a deposit or the whole price at
-- booking time, paid inside Telegram (Telegram Payments with the tenant's YooKassa provider
-- token). The booking stays a 'held' row under the exclusion constraint until the payment
-- arrives or the payment timeout lapses, so an unpaid hold never becomes a double booking.
-- Money is minor units (kopecks), never a float.

alter table services
    add column prepayment text not null default 'none'
        check (prepayment in ('none', 'deposit', 'full')),
    -- A deposit is a fixed sum or a percentage of the price, never both, and only a deposit.
    add column deposit_minor bigint check (deposit_minor > 0),
    add column deposit_percent smallint check (deposit_percent between 1 and 100),
    add column payment_timeout_min integer not null default 15
        check (payment_timeout_min between 5 and 1440),
    -- 'cutoff': everything back until the cancellation cut-off, then late_keep_percent of the
    -- payment kept (a late cancellation or a no-show); 'owner': the owner decides each time.
    add column refund_policy text not null default 'cutoff'
        check (refund_policy in ('cutoff', 'owner')),
    add column late_keep_percent smallint not null default 100
        check (late_keep_percent between 0 and 100),
    add constraint services_deposit_shape check (
        case prepayment
            when 'deposit' then (deposit_minor is null) <> (deposit_percent is null)
            else deposit_minor is null and deposit_percent is null
        end);

-- The tenant's own payment account. One row at most. The provider token (from @BotFather →
-- Payments → ЮKassa) and the shop's secret key are sealed with the tenant's key
-- (storage::crypto::TenantSecretsKey, derived from the platform's data key and given to the bot
-- like its token), bound to this table and column: a database dump alone opens neither.
create table payment_settings (
    singleton          boolean primary key default true check (singleton),
    provider_token_enc bytea,
    -- YooKassa's shop id and secret key, for refunds through YooKassa's API; without them
    -- the owner is asked to refund by hand.
    shop_id            text check (shop_id ~ '^[0-9]{1,20}$'),
    shop_secret_enc    bytea,
    -- 54-FZ: the VAT code of the receipt's item (YooKassa's vat_code 1..12); no receipt
    -- data is sent when it is not set.
    vat_code           smallint check (vat_code between 1 and 12),
    updated_at         timestamptz not null default now(),
    check ((shop_id is null) = (shop_secret_enc is null))
);

-- An invoice sent for a held booking. Its payload is random and unguessable: a payment
-- names its invoice by it, and a payload the bot did not issue matches nothing.
create table invoices (
    invoice_id   bigint generated always as identity primary key,
    booking_id   bigint not null references bookings,
    payload      text not null unique check (payload ~ '^[A-Za-z0-9_-]{16,64}$'),
    kind         text not null check (kind in ('deposit', 'full')),
    amount_minor bigint not null check (amount_minor > 0),
    currency     text not null check (currency ~ '^[A-Z]{3}$'),
    -- The hold lasts until then; a payment after it is late (see payments.outcome).
    expires_at   timestamptz not null,
    status       text not null default 'open' check (status in ('open', 'paid', 'void')),
    -- The invoice message in the customer's chat, to remove it once void.
    message_id   bigint,
    created_at   timestamptz not null default now()
);
create unique index invoices_one_open on invoices (booking_id) where status = 'open';

-- Every successful_payment received, once: Telegram's charge id is unique, so a duplicate
-- update records nothing twice.
create table payments (
    payment_id         bigint generated always as identity primary key,
    invoice_id         bigint not null references invoices,
    booking_id         bigint not null references bookings,
    telegram_charge_id text not null unique,
    -- YooKassa's payment id: refunds through YooKassa's API name it.
    provider_charge_id text not null,
    amount_minor       bigint not null check (amount_minor > 0),
    currency           text not null check (currency ~ '^[A-Z]{3}$'),
    -- 'applied': it paid for its booking. 'late': the booking could no longer be made (its
    -- time was taken after the hold lapsed). 'duplicate': its invoice was already paid.
    -- Late and duplicate payments are given back (or flagged to the owner).
    outcome            text not null check (outcome in ('applied', 'late', 'duplicate')),
    -- What was settled: kept by the business, and given back (or being given back).
    kept_minor         bigint not null default 0 check (kept_minor >= 0),
    refunded_minor     bigint not null default 0 check (refunded_minor >= 0),
    received_at        timestamptz not null default now(),
    check (kept_minor + refunded_minor <= amount_minor)
);
create unique index payments_one_applied on payments (booking_id) where outcome = 'applied';
create index payments_booking on payments (booking_id);

-- Giving a payment back, at most once per payment: through YooKassa's refunds API with a
-- stable idempotence key (a retried call refunds once), or by the owner's hand.
create table refunds (
    refund_id          bigint generated always as identity primary key,
    payment_id         bigint not null unique references payments,
    amount_minor       bigint not null check (amount_minor > 0),
    reason             text not null check (reason in (
        'cancelled_in_time', 'cancelled_late', 'cancelled_by_business', 'late_payment',
        'duplicate_payment', 'owner_choice')),
    method             text not null check (method in ('yookassa', 'by_hand')),
    -- yookassa: pending → succeeded | failed; by_hand: to_do → done; owner's policy:
    -- ask_owner → (the owner chooses) pending | to_do, or declined (kept).
    status             text not null check (status in (
        'ask_owner', 'pending', 'succeeded', 'failed', 'to_do', 'done', 'declined')),
    idempotence_key    uuid not null unique,
    provider_refund_id text,
    attempts           integer not null default 0,
    next_attempt_at    timestamptz,
    last_error         text,
    created_at         timestamptz not null default now(),
    done_at            timestamptz,
    -- The admin who marked a refund by hand done or decided the owner's choice.
    done_by            bigint
);
create index refunds_due on refunds (next_attempt_at) where status = 'pending';
