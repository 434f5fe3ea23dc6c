-- Group classes: a service with seats (a yoga class, a group lesson). One session of a class
-- is one staff member's time at one start; customers book seats in it until it is full.
--
-- Every seat is an ordinary booking (reminders, cancel, "my bookings" work as for any visit)
-- that points at its session. Two guarantees, both in the database:
--
-- - The staff member's time: the exclusion constraint now lets live bookings of the SAME
--   session overlap each other and nothing else, so a class takes the staff member's time
--   once, and no individual visit or other class can be put over it (nor it over them).
-- - The seats: each session counts its live seats in `seats_taken`, kept by a trigger on
--   bookings in the booking's own transaction, under `check (seats_taken <= seats)`. The
--   counter's row is updated by every seat taken, so concurrent bookings of one session queue
--   on that row and each sees the count the previous one committed: no interleaving of
--   transactions can overbook.

-- Null: an individual service, one customer per visit.
alter table services add column seats integer check (seats between 2 and 500);

create table class_sessions (
    session_id   bigint generated always as identity primary key,
    staff_id     bigint not null references staff,
    service_id   bigint not null references services,
    starts_at    timestamptz not null,
    -- Taken from the service when the first seat is booked; later edits of the service apply
    -- to sessions booked after them.
    seats        integer not null check (seats between 1 and 500),
    -- Live seats (held or confirmed), kept by bookings_count_seats; never written directly.
    seats_taken  integer not null default 0,
    created_at   timestamptz not null default now(),
    constraint class_sessions_full check (seats_taken between 0 and seats),
    unique (staff_id, service_id, starts_at),
    -- The target of the bookings' composite key below.
    unique (session_id, staff_id, service_id, starts_at)
);

alter table bookings add column session_id bigint;
-- A seat is for its session's staff member, service and start: it cannot drift away from the
-- session by an update.
alter table bookings add constraint bookings_session
    foreign key (session_id, staff_id, service_id, starts_at)
    references class_sessions (session_id, staff_id, service_id, starts_at);

-- A customer takes at most one live seat in a session.
create unique index bookings_one_seat on bookings (session_id, customer_id)
    where session_id is not null and status in ('held', 'confirmed');

-- The no-overlap rule, with the one exception: seats of one session share the time. An
-- individual booking's key is its own (negated) id, so it is unlike every other key.
alter table bookings drop constraint bookings_no_overlap;
alter table bookings add constraint bookings_no_overlap exclude using gist (
    staff_id with =,
    occupied with &&,
    (coalesce(session_id, -booking_id)) with <>
) where (status in ('held', 'confirmed'));

create function bookings_count_seats() returns trigger
language plpgsql as $$
declare
    was_live boolean := false;
    is_live  boolean := false;
    same     boolean := false;
begin
    if tg_op in ('UPDATE', 'DELETE') then
        was_live := old.session_id is not null and old.status in ('held', 'confirmed');
    end if;
    if tg_op in ('INSERT', 'UPDATE') then
        is_live := new.session_id is not null and new.status in ('held', 'confirmed');
    end if;
    if tg_op = 'UPDATE' then
        same := old.session_id is not distinct from new.session_id;
    end if;
    if was_live and not (is_live and same) then
        update class_sessions set seats_taken = seats_taken - 1 where session_id = old.session_id;
    end if;
    if is_live and not (was_live and same) then
        -- Over the seat count, class_sessions_full fails the statement: the booking is refused.
        update class_sessions set seats_taken = seats_taken + 1 where session_id = new.session_id;
    end if;
    return null;
end;
$$;

create trigger bookings_count_seats
    after insert or update of status, session_id or delete on bookings
    for each row execute function bookings_count_seats();
