-- What a bot holds in memory about its tenant (the profile and policy, the catalogue, staff,
-- working hours, the texts) is dropped when it changes (issues 15 and 21). A change made in
-- the bot's own process drops it at once; one made elsewhere (the REST API, the master's CLI,
-- a second bot during a rollout) arrives here: one notification per statement on the channel
-- `tenant_changed`, with the payload '<schema> <table>'. NOTIFY is transactional: a
-- rolled-back change says nothing, and the same payload twice in a transaction is sent once.
create function tenant_changed() returns trigger
language plpgsql as $$
begin
    perform pg_notify('tenant_changed', tg_table_schema || ' ' || tg_table_name);
    return null;
end;
$$;

create trigger settings_changed after insert or update or delete on settings
    for each statement execute function tenant_changed();
create trigger services_changed after insert or update or delete on services
    for each statement execute function tenant_changed();
create trigger staff_changed after insert or update or delete on staff
    for each statement execute function tenant_changed();
create trigger staff_services_changed after insert or update or delete on staff_services
    for each statement execute function tenant_changed();
create trigger working_hours_changed after insert or update or delete on working_hours
    for each statement execute function tenant_changed();
create trigger date_exceptions_changed after insert or update or delete on date_exceptions
    for each statement execute function tenant_changed();
create trigger text_overrides_changed after insert or update or delete on text_overrides
    for each statement execute function tenant_changed();
