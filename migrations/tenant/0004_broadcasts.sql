-- Broadcasts go through the outbox, one row per recipient, so a broadcast survives a restart
-- of the bot (the dispatcher carries on where it was) and each customer gets it once. This
-- table holds what the progress message and the final report need.
create table broadcasts (
    -- The draft's id: a second press of Send finds it taken.
    broadcast_id        bigint primary key,
    admin_id            bigint not null,
    admin_chat          bigint not null,
    locale              text not null check (locale in ('ru', 'en')),
    audience            text not null,
    text                text not null check (length(text) between 1 and 4096),
    recipients          integer not null check (recipients >= 0),
    -- The admin's progress message: null until someone posts it, 0 while it is being posted
    -- (so two bots during a rollout do not both post one).
    progress_message_id integer,
    started_at          timestamptz not null,
    stopped_at          timestamptz,
    finished_at         timestamptz
);
create index broadcasts_unfinished on broadcasts (broadcast_id) where finished_at is null;

-- Null for every other message, so the booking path's inserts neither check the key nor touch
-- the partial index.
alter table outbox add column broadcast_id bigint references broadcasts;
create index outbox_broadcast on outbox (broadcast_id) where broadcast_id is not null;
