-- The booking bot's customer flows (issue 4): the waitlist of full days, and the deep-link
-- source of the customer's latest visit.

-- A customer waiting for time on a day that was full, for a service with one staff member or
-- anyone (staff_id null). When a booking on that day is cancelled or moved away, waiting
-- customers are offered the freed time through the outbox; the first to press gets it (the
-- bookings exclusion constraint decides), and their entry becomes 'booked'.
create table waitlist (
    waitlist_id  bigint generated always as identity primary key,
    customer_id  bigint not null references customers,
    service_id   bigint not null references services,
    staff_id     bigint references staff,
    -- A local date in the tenant's zone.
    day          date not null,
    status       text not null default 'waiting'
                 check (status in ('waiting', 'booked', 'cancelled')),
    booking_id   bigint references bookings,
    created_at   timestamptz not null default now(),
    updated_at   timestamptz not null default now(),
    check ((status = 'booked') = (booking_id is not null))
);
-- One live entry per customer, service, staff choice and day: joining twice changes nothing.
create unique index waitlist_once on waitlist (customer_id, service_id, coalesce(staff_id, 0), day)
    where status = 'waiting';
create index waitlist_waiting_day on waitlist (day) where status = 'waiting';
create trigger waitlist_updated_at before update on waitlist
    for each row execute function set_updated_at();

-- customers.source keeps the first deep-link tag (how the customer found the business);
-- last_source keeps the latest, which their next booking records as its source.
alter table customers add column last_source text;
