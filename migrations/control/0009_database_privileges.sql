-- Only the roles the platform makes may connect to this database, and only the platform may
-- create temporary tables in it. By default PUBLIC (every role of the cluster, including the
-- tenants of another platform database on the same server) has CONNECT and TEMPORARY.
-- Provisioning grants each tenant role, and each bot host role, CONNECT on this database alone
-- (storage/src/provision.rs, storage/src/host.rs); the roles that exist already are granted
-- here, in the same transaction, so no running bot loses the right to reconnect. They also get
-- the limits provisioning gives new roles (provision.rs, ROLE_SETTINGS: keep the two in step).
--
-- Run by a user that neither owns the database nor is a superuser, the revoke changes nothing
-- and PostgreSQL only warns: then the database's owner should run it (DEPLOYMENT.md).
do $$
declare
    r record;
begin
    execute format('revoke connect, temporary on database %I from public', current_database());
    for r in
        select rolname from pg_roles
        where starts_with(rolname, current_database() || '_tenant_')
           or starts_with(rolname, current_database() || '_host_')
    loop
        execute format('grant connect on database %I to %I', current_database(), r.rolname);
        execute format('alter role %I set lock_timeout = %L', r.rolname, '5s');
        execute format('alter role %I set statement_timeout = %L', r.rolname, '30s');
    end loop;
end
$$;
