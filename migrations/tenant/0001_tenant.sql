-- One business's schema. Names are unqualified: this runs with search_path set to the
-- tenant's schema alone. Instants are timestamptz (UTC); working hours are local wall-clock
-- times interpreted in the tenant's zone (settings key 'time_zone').

create function set_updated_at() returns trigger
language plpgsql as $$
begin
    new.updated_at = now();
    return new;
end;
$$;

-- Typed settings as JSON values: 'time_zone', 'locale', 'name', 'policy', 'about'.
create table settings (
    key         text primary key,
    value       jsonb not null,
    updated_at  timestamptz not null default now()
);

create table services (
    service_id        bigint generated always as identity primary key,
    name              text not null check (length(name) between 1 and 100),
    description       text not null default '',
    duration_min      integer not null check (duration_min between 5 and 1440),
    interval_min      integer not null check (interval_min between 5 and 1440),
    buffer_before_min integer not null default 0 check (buffer_before_min between 0 and 1440),
    buffer_after_min  integer not null default 0 check (buffer_after_min between 0 and 1440),
    price_minor       bigint not null default 0 check (price_minor >= 0),
    active            boolean not null default true,
    sort_order        integer not null default 0,
    created_at        timestamptz not null default now(),
    updated_at        timestamptz not null default now()
);
create trigger services_updated_at before update on services
    for each row execute function set_updated_at();

create table staff (
    staff_id          bigint generated always as identity primary key,
    name              text not null check (length(name) between 1 and 100),
    -- The staff member's own Telegram account, when they use the admin panel.
    telegram_user_id  bigint unique,
    active            boolean not null default true,
    sort_order        integer not null default 0,
    created_at        timestamptz not null default now(),
    updated_at        timestamptz not null default now()
);
create trigger staff_updated_at before update on staff
    for each row execute function set_updated_at();

create table staff_services (
    staff_id    bigint not null references staff on delete cascade,
    service_id  bigint not null references services on delete cascade,
    primary key (staff_id, service_id)
);

-- Weekly plan: several 'hours' rows make a split shift; 'break' rows are cut out of them.
-- A staff member with no rows of their own follows the business's rows (staff_id null).
create table working_hours (
    working_hours_id bigint generated always as identity primary key,
    staff_id    bigint references staff on delete cascade,
    weekday     smallint not null check (weekday between 0 and 6), -- 0 = Monday
    kind        text not null check (kind in ('hours', 'break')),
    starts      time not null,
    ends        time not null,
    check (starts < ends)
);
create index working_hours_staff on working_hours (staff_id, weekday);

-- A date that does not follow the weekly plan: a day off, or special hours (and breaks).
create table date_exceptions (
    date_exception_id bigint generated always as identity primary key,
    staff_id    bigint references staff on delete cascade,
    day         date not null,
    kind        text not null check (kind in ('day_off', 'hours', 'break')),
    starts      time,
    ends        time,
    check ((kind = 'day_off') = (starts is null and ends is null)),
    check (starts is null or starts < ends)
);
create index date_exceptions_day on date_exceptions (day, staff_id);

create table blocked_periods (
    block_id    bigint generated always as identity primary key,
    -- null blocks every staff member.
    staff_id    bigint references staff on delete cascade,
    period      tstzrange not null check (not isempty(period)),
    reason      text not null default '',
    created_by  bigint,
    created_at  timestamptz not null default now()
);
create index blocked_periods_period on blocked_periods using gist (period);

create table customers (
    customer_id       bigint generated always as identity primary key,
    telegram_user_id  bigint not null unique,
    first_name        text not null default '',
    last_name         text,
    username          text,
    phone             text,
    locale            text check (locale in ('ru', 'en')),
    -- The deep-link tag of the customer's first visit, for analytics.
    source            text,
    -- Set when Telegram answers 403: we stop messaging them until they write again.
    blocked_bot_at    timestamptz,
    notes             text not null default '',
    created_at        timestamptz not null default now(),
    updated_at        timestamptz not null default now(),
    last_seen_at      timestamptz not null default now()
);
create trigger customers_updated_at before update on customers
    for each row execute function set_updated_at();

create table bookings (
    booking_id        bigint generated always as identity primary key,
    customer_id       bigint not null references customers,
    service_id        bigint not null references services,
    staff_id          bigint not null references staff,
    starts_at         timestamptz not null,
    ends_at           timestamptz not null,
    -- The time the staff member is busy: the visit widened by the service's buffers.
    occupied          tstzrange not null,
    status            text not null
                      check (status in ('held', 'confirmed', 'cancelled', 'completed', 'no_show', 'expired')),
    -- For 'held' rows: when the hold lapses. A lapsed hold still has status 'held' until
    -- someone needs the time; whoever does marks it 'expired' in their own transaction, so
    -- an expired hold never blocks anyone, and an unwanted one can still be confirmed.
    hold_expires_at   timestamptz,
    price_minor       bigint not null default 0,
    source            text,
    notes             text not null default '',
    -- The customer pressed Confirm on a reminder.
    customer_confirmed_at timestamptz,
    rating            smallint check (rating between 1 and 5),
    rating_comment    text,
    created_at        timestamptz not null default now(),
    updated_at        timestamptz not null default now(),
    check (starts_at < ends_at),
    check (status <> 'held' or hold_expires_at is not null),
    -- The guarantee against double booking: no two live bookings of one staff member overlap.
    constraint bookings_no_overlap exclude using gist (staff_id with =, occupied with &&)
        where (status in ('held', 'confirmed'))
);
create index bookings_customer on bookings (customer_id, starts_at);
create index bookings_starts on bookings (starts_at);
create trigger bookings_updated_at before update on bookings
    for each row execute function set_updated_at();

create table booking_history (
    booking_history_id bigint generated always as identity primary key,
    booking_id     bigint not null references bookings on delete cascade,
    at             timestamptz not null default now(),
    actor_kind     text not null check (actor_kind in ('customer', 'admin', 'api', 'system')),
    actor_id       bigint,
    action         text not null,
    old_status     text,
    new_status     text,
    old_starts_at  timestamptz,
    new_starts_at  timestamptz,
    reason         text
);
create index booking_history_booking on booking_history (booking_id, at);

-- Messages to send at a time: reminders, follow-ups, notifications. Claimed with
-- FOR UPDATE SKIP LOCKED and marked sent in the same transaction as the claim's lease, so
-- each goes out once, across restarts.
create table outbox (
    outbox_id     bigint generated always as identity primary key,
    kind          text not null,
    booking_id    bigint references bookings on delete cascade,
    chat_id       bigint not null,
    payload       jsonb not null default '{}',
    due_at        timestamptz not null,
    -- At most one message per key, e.g. 'reminder:<booking>:<offset>'.
    dedupe_key    text unique,
    attempts      integer not null default 0,
    locked_until  timestamptz,
    sent_at       timestamptz,
    cancelled_at  timestamptz,
    last_error    text,
    created_at    timestamptz not null default now()
);
create index outbox_due on outbox (due_at) where sent_at is null and cancelled_at is null;

create table text_overrides (
    key         text not null,
    locale      text not null check (locale in ('ru', 'en')),
    text        text not null,
    updated_by  bigint,
    updated_at  timestamptz not null default now(),
    primary key (key, locale)
);

create table admins (
    telegram_user_id bigint primary key,
    role        text not null check (role in ('owner', 'admin', 'staff')),
    -- For role 'staff': whose schedule they manage.
    staff_id    bigint references staff on delete set null,
    name        text not null default '',
    added_by    bigint,
    added_at    timestamptz not null default now(),
    check (role <> 'staff' or staff_id is not null)
);

create table audit_log (
    audit_id    bigint generated always as identity primary key,
    at          timestamptz not null default now(),
    actor_id    bigint,
    action      text not null,
    target      text,
    details     jsonb not null default '{}'
);
create index audit_log_at on audit_log (at desc);
