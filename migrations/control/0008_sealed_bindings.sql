-- Every sealed value is bound to the column and row it is stored in (the cipher's associated
-- data, storage/src/crypto.rs), so a value copied elsewhere does not open. Values sealed
-- before that are bound by a one-time step in Rust (`master-bot migrate`, crypto::reseal),
-- the only code that opens an unbound value. This row says the step is done: from then on no
-- unbound value opens anywhere, even one written back into the table later.
create table control.sealed_bindings (
    -- At most one row.
    singleton  boolean primary key default true check (singleton),
    bound_at   timestamptz not null default now(),
    -- How many values the step found unbound and resealed.
    resealed   integer not null check (resealed >= 0)
);
