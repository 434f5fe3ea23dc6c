-- With REDIS_ACL=on each tenant's bot reaches Redis as a user of its own, limited to its own
-- keys (`t:<tenant>:*`) and to the commands the bot uses (storage/src/redis_acl.rs). The
-- user's password is sealed with the data key like the database password, and bound to this
-- column and row.
alter table control.tenants add column redis_password_enc bytea;
