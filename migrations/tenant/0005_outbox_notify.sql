-- A bot host serves many tenants from one process and must not poll each tenant's outbox
-- (issue 15). Every statement that queues messages tells the host when the earliest of them
-- is due, on one channel for all tenants: `outbox` with the payload
-- '<schema> <earliest due_at as Unix seconds>'. Writes from the host's own process wake its
-- timers directly; this reaches it from the others (the master's monitor, the REST API).
-- NOTIFY is transactional: a rolled-back insert tells nobody.
create function outbox_notify() returns trigger
language plpgsql as $$
declare
    earliest timestamptz;
begin
    select min(due_at) into earliest from queued;
    if earliest is not null then
        perform pg_notify('outbox', tg_table_schema || ' ' || floor(extract(epoch from earliest))::bigint);
    end if;
    return null;
end;
$$;

create trigger outbox_notify after insert on outbox
    referencing new table as queued
    for each statement execute function outbox_notify();
