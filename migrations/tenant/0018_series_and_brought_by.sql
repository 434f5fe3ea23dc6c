-- Recurring visits (weekly or every two weeks, booked in one go): every booking of a series
-- carries the id of the series' first booking, so "cancel this and the rest" finds them.
alter table bookings add column series_id bigint references bookings (booking_id);
create index bookings_series on bookings (series_id) where series_id is not null;

-- Which of the business's messages brought a booking back: the button it was made from
-- (the next-visit nudge, the win-back, the post-visit "again" offer; 'broadcast' is kept for
-- when broadcasts carry a booking button, which they do not yet). Null for a booking made any
-- other way. Counted per month in the admin's analytics.
alter table bookings add column brought_by text
    check (brought_by in ('nudge', 'win_back', 'again', 'broadcast'));
