-- Prepayment (issue 19): an invoice lives only as long as the hold it pays for. Holds lapse in
-- several places (the insert that finds a lapsed hold in its way, class seats, the sweeper) and
-- are given back when the customer leaves the confirm screen; this trigger voids the open
-- invoice of each of them in the same statement, so no code path can forget it. A payment that
-- still arrives for a void invoice is re-checked by the bot (a lapsed hold whose time is still
-- free is booked; otherwise the money goes back).
create function invoices_void_with_hold() returns trigger
language plpgsql as $$
begin
    update invoices set status = 'void'
    where booking_id = new.booking_id and status = 'open';
    return null;
end;
$$;

create trigger bookings_hold_ended
    after update of status on bookings
    for each row
    when (old.status = 'held' and new.status in ('expired', 'cancelled'))
    execute function invoices_void_with_hold();
