-- A bot holds the customers it served recently, so a press reads no customer row (issue 21).
-- A row changed or removed anywhere (the REST API, the admin panel, another process) is
-- announced on the same channel as the configuration, one notification per row, with the
-- payload '<schema> customers <telegram user id>'; the bot then forgets that one customer.
-- A new row needs no word: nothing holds a customer before the row exists.
create function customer_changed() returns trigger
language plpgsql as $$
begin
    if old.telegram_user_id is not null then
        perform pg_notify('tenant_changed',
            tg_table_schema || ' customers ' || old.telegram_user_id::text);
    end if;
    return null;
end;
$$;

create trigger customers_changed after update or delete on customers
    for each row execute function customer_changed();
