-- Private iCalendar feeds: one live feed per staff member and one for the whole business
-- (staff_id null), served by the master at /ical/<token>.ics. Only the SHA-256 of the token's
-- secret is kept, like API keys: a leaked database does not leak subscribable links, and the
-- link is shown once, when it is made. Revoking keeps the row (who had a feed, until when).
create table calendar_feeds (
    calendar_feed_id  bigint generated always as identity primary key,
    staff_id          bigint references staff on delete cascade,
    secret_sha256     bytea not null unique check (length(secret_sha256) = 32),
    created_at        timestamptz not null default now(),
    revoked_at        timestamptz
);
-- At most one live feed per staff member and one for the business: making a new link revokes
-- the old one in the same transaction.
create unique index calendar_feeds_one_live on calendar_feeds (coalesce(staff_id, 0))
    where revoked_at is null;
