-- Idempotency-Key support for the operator API's creates (issue 6).
--
-- One row per (API key, Idempotency-Key). The first request reserves the row (status null)
-- and runs; it then stores its response. A repeat with the same body gets the stored
-- response; a repeat with another body is refused. Keys are scoped to the API key that sent
-- them, so one client cannot replay or block another's requests.
create table control.idempotency_keys (
    api_key_id       bigint not null references control.api_keys on delete cascade,
    idempotency_key  text not null check (length(idempotency_key) between 1 and 255),
    -- sha256 of the method, the path and the body: "the same request".
    request_hash     bytea not null,
    -- Null while the first request is still running.
    response_status  smallint,
    response_body    jsonb,
    created_at       timestamptz not null default now(),
    primary key (api_key_id, idempotency_key)
);
-- Old rows are pruned by age (a day is far beyond any client's retry window).
create index idempotency_keys_created on control.idempotency_keys (created_at);
