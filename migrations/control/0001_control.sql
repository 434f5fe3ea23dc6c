-- The platform's control plane. Always schema-qualified: no tenant-shaped table lives in
-- `public`, so a connection that lost its search_path fails instead of reading a tenant.

-- btree_gist lets a gist exclusion constraint compare plain columns with `=`, which the
-- tenants' bookings table needs (staff_id with =, occupied with &&). Trusted since PG 13.
create extension if not exists btree_gist with schema public;

create or replace function control.set_updated_at() returns trigger
language plpgsql as $$
begin
    new.updated_at = now();
    return new;
end;
$$;

create table control.plans (
    plan_id      bigint generated always as identity primary key,
    code         text not null unique check (code ~ '^[a-z0-9_-]{1,32}$'),
    name         text not null,
    -- Minor units (kopecks): money is never a float.
    price_minor  bigint not null check (price_minor >= 0),
    currency     text not null default 'RUB' check (currency ~ '^[A-Z]{3}$'),
    period_days  integer not null check (period_days between 1 and 3660),
    active       boolean not null default true,
    created_at   timestamptz not null default now()
);

create table control.tenants (
    tenant_id          bigint generated always as identity primary key,
    name               text not null check (length(name) between 1 and 200),
    status             text not null default 'provisioning'
                       check (status in ('provisioning', 'active', 'suspended', 'migration_failed')),
    time_zone          text not null,
    locale             text not null default 'ru' check (locale in ('ru', 'en')),
    owner_telegram_id  bigint,
    bot_username       text,
    -- Secrets are sealed with the platform's data key (XChaCha20-Poly1305), never stored plain.
    bot_token_enc      bytea,
    db_password_enc    bytea,
    -- What the operator wants; the deploy worker makes the engine match it.
    desired_state      text not null default 'stopped' check (desired_state in ('running', 'stopped')),
    image_tag          text,
    -- The version of the last tenant migration applied to this tenant's schema.
    schema_version     bigint,
    last_error         text,
    created_at         timestamptz not null default now(),
    updated_at         timestamptz not null default now()
);
create trigger tenants_updated_at before update on control.tenants
    for each row execute function control.set_updated_at();

create table control.subscriptions (
    subscription_id    bigint generated always as identity primary key,
    tenant_id          bigint not null unique references control.tenants on delete cascade,
    plan_id            bigint references control.plans,
    status             text not null check (status in ('trial', 'active', 'past_due', 'suspended', 'cancelled')),
    current_period_end timestamptz not null,
    grace_until        timestamptz,
    -- A saved YooKassa payment method for renewals.
    payment_method_id  text,
    created_at         timestamptz not null default now(),
    updated_at         timestamptz not null default now()
);
create trigger subscriptions_updated_at before update on control.subscriptions
    for each row execute function control.set_updated_at();

create table control.orders (
    order_id           uuid primary key,
    telegram_user_id   bigint not null,
    plan_id            bigint not null references control.plans,
    tenant_id          bigint references control.tenants on delete set null,
    business_name      text not null,
    time_zone          text not null,
    amount_minor       bigint not null check (amount_minor >= 0),
    currency           text not null,
    status             text not null default 'pending' check (status in ('pending', 'paid', 'expired', 'cancelled')),
    -- Stored before YooKassa is called and reused on every retry (exactly one payment).
    idempotence_key    uuid not null unique,
    created_at         timestamptz not null default now(),
    expires_at         timestamptz not null,
    paid_at            timestamptz
);

create table control.payments (
    payment_id         text primary key, -- YooKassa's id
    order_id           uuid references control.orders,
    tenant_id          bigint references control.tenants on delete set null,
    status             text not null,
    amount_minor       bigint not null,
    currency           text not null,
    -- 'yookassa' or 'manual' (recorded by an operator).
    provider           text not null default 'yookassa',
    raw                jsonb,
    created_at         timestamptz not null default now(),
    updated_at         timestamptz not null default now()
);
create trigger payments_updated_at before update on control.payments
    for each row execute function control.set_updated_at();

-- One row per (event, object): a repeated notification is a no-op.
create table control.payment_events (
    payment_event_id   bigint generated always as identity primary key,
    event              text not null,
    object_id          text not null,
    received_at        timestamptz not null default now(),
    unique (event, object_id)
);

create table control.api_keys (
    api_key_id         bigint generated always as identity primary key,
    -- The public part of the key, used to find the row; the secret part is only hashed.
    prefix             text not null unique,
    secret_hash        bytea not null,
    scope              text not null check (scope in ('operator', 'tenant')),
    tenant_id          bigint references control.tenants on delete cascade,
    name               text not null default '',
    created_at         timestamptz not null default now(),
    last_used_at       timestamptz,
    revoked_at         timestamptz,
    check ((scope = 'tenant') = (tenant_id is not null))
);

-- The platform job queue (provision, deploy, stop, notify). Written here rather than taken
-- from a crate: the maintained ones either target another sqlx version or bring a framework;
-- this is one table and four statements (see storage/src/control/jobs.rs).
create table control.jobs (
    job_id        bigint generated always as identity primary key,
    kind          text not null,
    payload       jsonb not null default '{}',
    status        text not null default 'queued' check (status in ('queued', 'running', 'done', 'dead')),
    attempts      integer not null default 0,
    max_attempts  integer not null default 5 check (max_attempts > 0),
    run_at        timestamptz not null default now(),
    locked_by     text,
    locked_until  timestamptz,
    last_error    text,
    -- Optional: at most one queued or running job per key (e.g. one deploy per tenant).
    dedupe_key    text,
    created_at    timestamptz not null default now(),
    updated_at    timestamptz not null default now()
);
create index jobs_ready on control.jobs (run_at) where status = 'queued';
create index jobs_leased on control.jobs (locked_until) where status = 'running';
create unique index jobs_dedupe on control.jobs (dedupe_key) where status in ('queued', 'running');
create trigger jobs_updated_at before update on control.jobs
    for each row execute function control.set_updated_at();

create table control.deployments (
    deployment_id  bigint generated always as identity primary key,
    tenant_id      bigint not null references control.tenants on delete cascade,
    action         text not null check (action in ('deploy', 'stop', 'remove', 'restart')),
    status         text not null default 'running'
                   check (status in ('running', 'succeeded', 'failed', 'rolled_back')),
    image          text,
    config_hash    text,
    container_id   text,
    error          text,
    started_at     timestamptz not null default now(),
    finished_at    timestamptz
);
create index deployments_tenant on control.deployments (tenant_id, started_at desc);

create table control.deployment_events (
    deployment_event_id bigint generated always as identity primary key,
    deployment_id  bigint not null references control.deployments on delete cascade,
    at             timestamptz not null default now(),
    level          text not null check (level in ('info', 'warn', 'error')),
    message        text not null
);

create table control.audit_log (
    audit_id    bigint generated always as identity primary key,
    at          timestamptz not null default now(),
    -- 'operator:<key id>', 'cli', 'system', 'telegram:<user id>'.
    actor       text not null,
    action      text not null,
    tenant_id   bigint,
    details     jsonb not null default '{}'
);
create index audit_log_tenant on control.audit_log (tenant_id, at desc);
