-- Placement (issue #15, item 4): a tenant's bot runs in a container of its own (`dedicated`)
-- or on a shared bot host, one booking-bot process serving many tenants (`shared`). The
-- deploy worker decides and records where; nothing changes for existing tenants, whose plans
-- default to `dedicated`.
--
-- Numbered 0011 to leave 0007-0010 to the hardening work under way beside this one; sqlx
-- applies a lower version added later as well.

-- Bot hosts the deploy worker started. Secrets are sealed with the platform's data key, like
-- `tenants.db_password_enc`: the host role's password and the bearer secret of the host's
-- control API.
create table control.bot_hosts (
    bot_host_id      bigint generated always as identity primary key,
    -- `storage::host::HostName`: the host's database role is `<database>_host_<name>`.
    name             text not null unique check (name ~ '^[a-z][a-z0-9_]{0,19}$'),
    -- The host's number: its name is `shared<ordinal>`, and on the host network its port is
    -- HOST_PORT_BASE + ordinal, so two hosts never want the same port.
    ordinal          integer not null unique check (ordinal between 1 and 10000),
    capacity         integer not null check (capacity > 0),
    db_password_enc  bytea not null,
    secret_enc       bytea not null,
    -- When the host was last seen with no tenant assigned; the worker stops it once that has
    -- lasted HOST_IDLE_SECS. Null while it has tenants.
    idle_since       timestamptz,
    created_at       timestamptz not null default now(),
    updated_at       timestamptz not null default now()
);
create trigger bot_hosts_updated_at before update on control.bot_hosts
    for each row execute function control.set_updated_at();

-- Where a plan's tenants run unless an operator says otherwise.
alter table control.plans
    add column placement text not null default 'dedicated'
        check (placement in ('dedicated', 'shared'));

alter table control.tenants
    -- The operator's override; null follows the plan (and `dedicated` without a plan).
    add column placement text check (placement in ('dedicated', 'shared')),
    -- The host the worker assigned the tenant to; null for a dedicated (or unplaced) tenant.
    -- Written by the worker before it acts, so a killed worker finds its choice again.
    add column bot_host_id bigint references control.bot_hosts on delete set null;
create index tenants_bot_host on control.tenants (bot_host_id) where bot_host_id is not null;

-- A deployment is of a tenant's bot or of a bot host's container (then `tenant_id` is null);
-- a `place` deployment puts a tenant on a host, moves it, or takes it off one.
alter table control.deployments
    alter column tenant_id drop not null,
    add column bot_host_id bigint references control.bot_hosts on delete cascade,
    add constraint deployments_subject check (tenant_id is not null or bot_host_id is not null),
    drop constraint deployments_action_check,
    add constraint deployments_action_check
        check (action in ('deploy', 'stop', 'remove', 'restart', 'place'));
create index deployments_host on control.deployments (bot_host_id, started_at desc)
    where bot_host_id is not null;
