-- One bot serves one tenant: two tenants sharing a bot would answer each other's customers.
-- The API checks first for a clear message; this index decides races.
create unique index tenants_bot_username on control.tenants (lower(bot_username));
