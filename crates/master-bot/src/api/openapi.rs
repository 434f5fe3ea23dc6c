//! The OpenAPI 3.1 document, written by hand: utoipa would add a derive to every type in
//! `core` and `storage`, and a hand-written document is short at this size. The test in
//! `tests/it/openapi.rs` fails when it and [`super::routes`] disagree.

use serde_json::{Value, json};

fn problem(description: &str) -> Value {
    json!({
        "description": description,
        "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } }
    })
}

fn ok(status: &str, description: &str, schema: Value) -> (String, Value) {
    let body = if schema.is_null() {
        json!({ "description": description })
    } else {
        json!({ "description": description, "content": { "application/json": { "schema": schema } } })
    };
    (status.to_owned(), body)
}

fn schema(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

fn path_param(name: &str) -> Value {
    json!({ "name": name, "in": "path", "required": true, "schema": { "type": "integer", "format": "int64" } })
}

fn query_param(name: &str, schema: Value, required: bool) -> Value {
    json!({ "name": name, "in": "query", "required": required, "schema": schema })
}

fn idempotency_header() -> Value {
    json!({
        "name": "Idempotency-Key", "in": "header", "required": false,
        "description": "Repeating a create with the same key and body returns the first answer; another body is a 422.",
        "schema": { "type": "string", "minLength": 1, "maxLength": 255 }
    })
}

/// An operation with the errors every authenticated operation can answer.
fn op(
    summary: &str,
    parameters: Vec<Value>,
    body: Option<Value>,
    success: (String, Value),
) -> Value {
    let mut responses = serde_json::Map::new();
    responses.insert(success.0, success.1);
    for (status, description) in [
        ("401", "Missing, unknown or revoked API key"),
        ("404", "Not found, or not this key's to see"),
        (
            "409",
            "Conflicts with the current state (a taken slot, a guarded delete)",
        ),
        ("422", "Validation failed or a booking rule refused"),
        ("429", "Rate limited; see Retry-After"),
    ] {
        responses.insert(status.to_owned(), problem(description));
    }
    responses.insert(
        "503".to_owned(),
        problem("The database is unavailable, or the server lacks configuration"),
    );
    if body.is_some() {
        responses.insert("400".to_owned(), problem("The body is not JSON"));
        responses.insert("413".to_owned(), problem("The body is larger than 64 KiB"));
    }
    let mut operation =
        json!({ "summary": summary, "parameters": parameters, "responses": responses });
    if let Some(body) = body {
        operation["requestBody"] =
            json!({ "required": true, "content": { "application/json": { "schema": body } } });
    }
    operation
}

fn with_response(mut operation: Value, status: &str, response: Value) -> Value {
    operation["responses"][status] = response;
    operation
}

/// The document served at `/api/v1/openapi.json`.
#[must_use]
pub fn document() -> Value {
    let tenant = path_param("tenant_id");
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Booking platform operator API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Errors are RFC 9457 problem documents. Keys: `Authorization: Bearer bk_<prefix>_<secret>`."
        },
        "servers": [{ "url": "/api/v1" }],
        "security": [{ "bearer": [] }],
        "paths": {
            "/openapi.json": {
                "get": {
                    "summary": "This document", "security": [],
                    "responses": { "200": { "description": "OpenAPI 3.1", "content": { "application/json": {} } } }
                }
            },
            "/tenants": {
                "post": with_response(
                    op("Create and provision a tenant", vec![idempotency_header()],
                        Some(schema("TenantCreate")), ok("201", "Created", schema("Tenant"))),
                    "502", problem("The Bot API could not be asked about the bot token")),
                "get": op("List tenants (operators)", vec![
                        query_param("limit", json!({ "type": "integer", "minimum": 1, "maximum": 100, "default": 20 }), false),
                        query_param("cursor", json!({ "type": "string" }), false)],
                    None, ok("200", "A page", schema("TenantPage")))
            },
            "/tenants/{tenant_id}": {
                "get": op("Read a tenant", vec![tenant.clone()], None, ok("200", "The tenant", schema("Tenant"))),
                "patch": op("Update a tenant (operators)", vec![tenant.clone()],
                    Some(schema("TenantUpdate")), ok("200", "The tenant", schema("Tenant"))),
                "delete": op("Delete a suspended, stopped tenant and its data (operators)", vec![tenant.clone(),
                        query_param("confirm", json!({ "type": "string", "pattern": "^tenant_[0-9]+$" }), true)],
                    None, ok("204", "Deleted", Value::Null))
            },
            "/tenants/{tenant_id}/status": {
                "get": op("Desired and actual state with the latest deployments (operators)", vec![tenant.clone()],
                    None, ok("200", "Status", schema("DeployStatus")))
            },
            "/tenants/{tenant_id}/restart": {
                "post": op("Queue a restart of the tenant's bot (operators)", vec![tenant.clone()], None,
                    ok("202", "Queued", json!({ "type": "object", "properties": {
                        "queued": { "type": "boolean" }, "job_id": { "type": ["integer", "null"] } } })))
            },
            "/tenants/{tenant_id}/bot-token": {
                "put": with_response(
                    op("Replace the tenant's bot token: checked with getMe, stored sealed, audited; a running bot is restarted on it (operators)",
                        vec![tenant.clone()], Some(schema("BotToken")), ok("200", "The tenant", schema("Tenant"))),
                    "502", problem("The Bot API could not be asked about the bot token"))
            },
            "/tenants/{tenant_id}/services": {
                "get": op("Active services", vec![tenant.clone()], None,
                    ok("200", "Services", json!({ "type": "array", "items": schema("Service") })))
            },
            "/tenants/{tenant_id}/services/{service_id}": {
                "patch": op("Set a service's seats (a number makes it a group class, null an individual service) and/or its payment terms (fields left out stay; prepayment needs the payment account's provider token, 409 no_provider_token otherwise)",
                    vec![tenant.clone(), path_param("service_id")],
                    Some(json!({ "type": "object", "minProperties": 1, "additionalProperties": false,
                        "properties": {
                            "seats": { "type": ["integer", "null"], "minimum": 2, "maximum": 500 },
                            "payment": schema("PaymentTermsPatch") } })),
                    ok("200", "Updated", schema("Service")))
            },
            "/tenants/{tenant_id}/payment-account": {
                "put": op("Set the tenant's payment account: fields left out stay, null removes; secrets are stored sealed and never returned",
                    vec![tenant.clone()], Some(schema("PaymentAccountPut")),
                    ok("200", "What is set", schema("PaymentAccount"))),
                "get": op("What of the tenant's payment account is set (never a secret)", vec![tenant.clone()], None,
                    ok("200", "What is set", schema("PaymentAccount")))
            },
            "/tenants/{tenant_id}/staff": {
                "get": op("Active staff", vec![tenant.clone()], None,
                    ok("200", "Staff", json!({ "type": "array", "items": schema("Staff") })))
            },
            "/tenants/{tenant_id}/slots": {
                "get": op("Free slots between two local dates (at most 31 days, from yesterday to the end of the booking horizon)", vec![tenant.clone(),
                        query_param("service_id", json!({ "type": "integer", "format": "int64" }), true),
                        query_param("from", json!({ "type": "string", "format": "date" }), true),
                        query_param("to", json!({ "type": "string", "format": "date" }), true),
                        query_param("staff_id", json!({ "type": "integer", "format": "int64" }), false)],
                    None, ok("200", "Slots", json!({ "type": "array", "items": schema("Slot") })))
            },
            "/tenants/{tenant_id}/bookings": {
                "post": op("Book a slot for a customer", vec![tenant.clone(), idempotency_header()],
                    Some(schema("BookingCreate")), ok("201", "Booked", schema("Booking")))
            },
            "/tenants/{tenant_id}/bookings/{booking_id}": {
                "delete": op("Cancel a booking (the cancel cut-off applies)", vec![tenant.clone(), path_param("booking_id"),
                        query_param("reason", json!({ "type": "string" }), false)],
                    None, ok("200", "Cancelled", schema("Booking"))),
                "patch": op("Move a booking to another free start of the same staff member (the reschedule cut-off applies)",
                    vec![tenant.clone(), path_param("booking_id")],
                    Some(json!({ "type": "object", "required": ["start"], "additionalProperties": false,
                        "properties": { "start": { "type": "string", "format": "date-time" } } })),
                    ok("200", "Moved", schema("Booking")))
            },
            "/tenants/{tenant_id}/subscription": {
                "get": op("The tenant's subscription", vec![tenant.clone()], None,
                    ok("200", "Subscription", schema("Subscription"))),
                "put": op("Start or replace the subscription (operators)", vec![tenant.clone()],
                    Some(schema("SubscriptionStart")), ok("200", "Subscription", schema("Subscription"))),
                "delete": op("Cancel the subscription (operators)", vec![tenant.clone()], None,
                    ok("200", "Subscription", schema("Subscription")))
            },
            "/tenants/{tenant_id}/subscription/extend": {
                "post": op("Extend the subscription by some days (operators)", vec![tenant.clone()],
                    Some(json!({ "type": "object", "required": ["days"], "additionalProperties": false,
                        "properties": { "days": { "type": "integer", "minimum": 1, "maximum": 3660 } } })),
                    ok("200", "Subscription", schema("Subscription")))
            },
            "/tenants/{tenant_id}/payments": {
                "post": op("Record a manual payment; extends the subscription (operators)",
                    vec![tenant.clone(), idempotency_header()], Some(schema("PaymentRecord")),
                    ok("201", "Recorded", json!({ "type": "object", "properties": {
                        "payment": { "type": "object" },
                        "subscription": { "oneOf": [schema("Subscription"), { "type": "null" }] } } })))
            },
            "/plans": {
                "post": op("Create a plan (operators)", vec![idempotency_header()], Some(schema("PlanCreate")),
                    ok("201", "Created", schema("Plan"))),
                "get": op("List plans (operators)", vec![], None,
                    ok("200", "Plans", json!({ "type": "array", "items": schema("Plan") })))
            },
            "/plans/{plan_id}": {
                "patch": op("Rename a plan, or take it off sale and back; a new price is a new plan (operators)",
                    vec![path_param("plan_id")], Some(schema("PlanUpdate")), ok("200", "Plan", schema("Plan")))
            },
            "/api-keys": {
                "post": op("Create an API key; the key is shown once (operators)", vec![],
                    Some(schema("ApiKeyCreate")), ok("201", "Created", schema("ApiKeyCreated"))),
                "get": op("List API keys (operators)", vec![
                        query_param("tenant_id", json!({ "type": "integer", "format": "int64" }), false)],
                    None, ok("200", "Keys", json!({ "type": "array", "items": schema("ApiKey") })))
            },
            "/api-keys/{api_key_id}": {
                "delete": op("Revoke an API key (operators)", vec![path_param("api_key_id")], None,
                    ok("204", "Revoked", Value::Null))
            }
        },
        "components": {
            "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer" } },
            "schemas": schemas()
        }
    })
}

fn schemas() -> Value {
    let id = json!({ "type": "integer", "format": "int64" });
    let time = json!({ "type": "string", "format": "date-time" });
    let nullable = |t: &str| json!({ "type": [t, "null"] });
    json!({
        "Problem": {
            "type": "object", "required": ["type", "title", "status", "detail", "code"],
            "properties": {
                "type": { "type": "string" }, "title": { "type": "string" },
                "status": { "type": "integer" }, "detail": { "type": "string" },
                "code": { "type": "string" },
                "errors": { "type": "array", "items": { "type": "object", "required": ["field", "message"],
                    "properties": { "field": { "type": "string" }, "message": { "type": "string" } } } },
                "rejection": { "type": "object" }
            }
        },
        "BotToken": {
            "type": "object", "required": ["bot_token"], "additionalProperties": false,
            "properties": {
                "bot_token": { "type": "string", "writeOnly": true, "pattern": "^[0-9]+:[A-Za-z0-9_-]{30,100}$",
                    "description": "From @BotFather; never returned or logged" }
            }
        },
        "TenantCreate": {
            "type": "object", "required": ["name", "time_zone"], "additionalProperties": false,
            "properties": {
                "name": { "type": "string", "minLength": 1, "maxLength": 100 },
                "time_zone": { "type": "string", "examples": ["Europe/Moscow"] },
                "locale": { "enum": ["ru", "en"] },
                "owner_telegram_id": { "type": "integer", "format": "int64", "minimum": 1 },
                "bot_token": { "type": "string", "writeOnly": true, "description": "Stored encrypted, never returned." }
            }
        },
        "TenantUpdate": {
            "type": "object", "additionalProperties": false,
            "properties": {
                "name": { "type": "string", "minLength": 1, "maxLength": 100 },
                "desired_state": { "enum": ["running", "stopped"] },
                "image_tag": { "type": ["string", "null"] },
                "status": { "enum": ["active", "suspended"] },
                "placement": { "enum": ["dedicated", "shared", null],
                    "description": "Where the bot runs: its own container, or a shared bot host; null follows the tenant's plan. The deploy worker moves it." },
                "currency": { "enum": ["RUB", "USD", "EUR", "KZT", "BYN", "UZS", "GEL", "AMD", "TRY"],
                    "description": "ISO 4217 code of the currency the business's prices are shown in (RUB until set); the tenant must be provisioned." }
            }
        },
        "Tenant": {
            "type": "object",
            "required": ["id", "name", "status", "time_zone", "locale", "has_bot_token", "desired_state", "created_at", "updated_at"],
            "properties": {
                "id": id, "name": { "type": "string" },
                "status": { "enum": ["provisioning", "active", "suspended", "migration_failed"] },
                "time_zone": { "type": "string" }, "locale": { "enum": ["ru", "en"] },
                "owner_telegram_id": nullable("integer"), "bot_username": nullable("string"),
                "has_bot_token": { "type": "boolean" },
                "desired_state": { "enum": ["running", "stopped"] },
                "image_tag": nullable("string"), "schema_version": nullable("integer"),
                "placement": { "enum": ["dedicated", "shared", null], "description": "The operator's override; null follows the plan." },
                "last_error": nullable("string"), "created_at": time, "updated_at": time
            }
        },
        "DeployStatus": {
            "type": "object", "required": ["tenant_id", "desired_state", "placement", "actual_state", "deployments"],
            "properties": {
                "tenant_id": id, "desired_state": { "enum": ["running", "stopped"] },
                "image_tag": nullable("string"),
                "placement": { "enum": ["dedicated", "shared"], "description": "Where the bot is meant to run: the override, else the plan's." },
                "host": { "type": ["string", "null"], "description": "The shared bot host the deploy worker assigned it to." },
                "actual_state": { "enum": ["running", "stopped", "changing", "failed", "unknown"] },
                "deployments": { "type": "array", "items": {
                    "type": "object",
                    "properties": {
                        "id": id, "action": { "type": "string" }, "status": { "type": "string" },
                        "image": nullable("string"), "container_id": nullable("string"),
                        "error": nullable("string"), "started_at": time,
                        "finished_at": { "type": ["string", "null"], "format": "date-time" },
                        "events": { "type": "array", "items": { "type": "object", "properties": {
                            "at": time, "level": { "enum": ["info", "warn", "error"] }, "message": { "type": "string" } } } }
                    }
                } }
            }
        },
        "TenantPage": {
            "type": "object", "required": ["items", "next_cursor"],
            "properties": {
                "items": { "type": "array", "items": schema("Tenant") },
                "next_cursor": nullable("string")
            }
        },
        "Service": {
            "type": "object",
            "properties": {
                "id": id, "name": { "type": "string" }, "description": { "type": "string" },
                "timing": { "type": "object" }, "price": { "type": "integer", "description": "Minor units" },
                "active": { "type": "boolean" }, "sort_order": { "type": "integer" },
                "seats": { "type": "integer", "description": "Seats of a group class; absent for an individual service" },
                "payment": schema("PaymentTerms")
            }
        },
        "Prepayment": {
            "description": "What a booking asks to be paid at booking time",
            "oneOf": [
                { "type": "object", "required": ["mode"], "properties": { "mode": { "const": "none" } } },
                { "type": "object", "required": ["mode"], "properties": { "mode": { "const": "full" } } },
                { "type": "object", "required": ["mode", "fixed"], "properties": { "mode": { "const": "deposit" },
                    "fixed": { "type": "integer", "minimum": 1, "description": "Minor units" } } },
                { "type": "object", "required": ["mode", "percent"], "properties": { "mode": { "const": "deposit" },
                    "percent": { "type": "integer", "minimum": 1, "maximum": 100 } } }
            ]
        },
        "RefundPolicy": {
            "oneOf": [
                { "type": "object", "required": ["policy", "keep_percent"], "description": "All back until the cancel cut-off; after it and on a no-show keep_percent is kept",
                    "properties": { "policy": { "const": "cutoff" }, "keep_percent": { "type": "integer", "minimum": 0, "maximum": 100 } } },
                { "type": "object", "required": ["policy"], "description": "The owner decides each time",
                    "properties": { "policy": { "const": "owner" } } }
            ]
        },
        "PaymentTerms": {
            "type": "object",
            "properties": {
                "prepayment": schema("Prepayment"),
                "timeout_min": { "type": "integer", "minimum": 5, "maximum": 1440, "description": "Minutes an unpaid hold waits" },
                "refund": schema("RefundPolicy")
            }
        },
        "PaymentTermsPatch": {
            "type": "object", "additionalProperties": false, "minProperties": 1,
            "properties": {
                "prepayment": schema("Prepayment"),
                "timeout_min": { "type": "integer", "minimum": 5, "maximum": 1440 },
                "refund": schema("RefundPolicy")
            }
        },
        "PaymentAccountPut": {
            "type": "object", "additionalProperties": false, "minProperties": 1,
            "properties": {
                "provider_token": { "type": ["string", "null"], "description": "From @BotFather → Payments → ЮKassa" },
                "shop_id": { "type": ["string", "null"], "pattern": "^[0-9]{1,20}$", "description": "With shop_secret: refunds through YooKassa" },
                "shop_secret": { "type": ["string", "null"] },
                "vat_code": { "type": ["integer", "null"], "minimum": 1, "maximum": 12, "description": "YooKassa's vat_code for 54-FZ receipts" }
            }
        },
        "PaymentAccount": {
            "type": "object",
            "properties": {
                "provider_token_set": { "type": "boolean" },
                "shop_id": { "type": ["string", "null"] },
                "vat_code": { "type": ["integer", "null"] }
            }
        },
        "Staff": {
            "type": "object",
            "properties": {
                "id": id, "name": { "type": "string" }, "active": { "type": "boolean" },
                "sort_order": { "type": "integer" }, "services": { "type": "array", "items": id }
            }
        },
        "Slot": {
            "type": "object", "required": ["staff_id", "start", "end"],
            "properties": { "staff_id": id, "start": time, "end": time,
                "seats_left": { "type": "integer", "description": "For a group class: seats still free (absent otherwise)" } }
        },
        "BookingCreate": {
            "type": "object", "required": ["service_id", "start", "customer"], "additionalProperties": false,
            "properties": {
                "service_id": id, "staff_id": id, "start": time,
                "customer": {
                    "type": "object", "required": ["telegram_user_id", "first_name"], "additionalProperties": false,
                    "properties": {
                        "telegram_user_id": { "type": "integer", "format": "int64", "minimum": 1 },
                        "first_name": { "type": "string", "minLength": 1, "maxLength": 100 },
                        "last_name": { "type": ["string", "null"] }
                    }
                }
            }
        },
        "Booking": {
            "type": "object",
            "properties": {
                "id": id, "customer_id": id, "service_id": id, "staff_id": id,
                "start": time, "end": time,
                "status": { "enum": ["held", "confirmed", "cancelled", "completed", "no_show", "expired"] },
                "hold_expires_at": { "type": ["string", "null"], "format": "date-time" },
                "price": { "type": "integer" }, "source": nullable("string")
            }
        },
        "PlanCreate": {
            "type": "object", "required": ["code", "name", "price_minor", "period_days"], "additionalProperties": false,
            "properties": {
                "code": { "type": "string", "pattern": "^[a-z0-9_-]{1,32}$" },
                "name": { "type": "string", "minLength": 1, "maxLength": 100 },
                "price_minor": { "type": "integer", "minimum": 0 },
                "currency": { "type": "string", "pattern": "^[A-Z]{3}$", "default": "RUB" },
                "period_days": { "type": "integer", "minimum": 1, "maximum": 3660 },
                "placement": { "enum": ["dedicated", "shared"], "default": "dedicated" }
            }
        },
        "PlanUpdate": {
            "type": "object", "additionalProperties": false,
            "properties": {
                "name": { "type": "string", "minLength": 1, "maxLength": 100 },
                "active": { "type": "boolean" }
            }
        },
        "Plan": {
            "type": "object",
            "properties": {
                "id": id, "code": { "type": "string" }, "name": { "type": "string" },
                "price_minor": { "type": "integer" }, "currency": { "type": "string" },
                "period_days": { "type": "integer" }, "active": { "type": "boolean" },
                "placement": { "enum": ["dedicated", "shared"] }, "created_at": time
            }
        },
        "SubscriptionStart": {
            "type": "object", "required": ["status"], "additionalProperties": false,
            "properties": {
                "plan_id": id, "status": { "enum": ["trial", "active"] },
                "days": { "type": "integer", "minimum": 1, "maximum": 3660 }
            }
        },
        "Subscription": {
            "type": "object",
            "properties": {
                "id": id, "tenant_id": id, "plan_id": nullable("integer"),
                "status": { "enum": ["trial", "active", "past_due", "suspended", "cancelled"] },
                "current_period_end": time,
                "grace_until": { "type": ["string", "null"], "format": "date-time" },
                "created_at": time, "updated_at": time
            }
        },
        "PaymentRecord": {
            "type": "object", "required": ["amount_minor"], "additionalProperties": false,
            "properties": {
                "amount_minor": { "type": "integer", "minimum": 1 },
                "currency": { "type": "string", "pattern": "^[A-Z]{3}$", "default": "RUB" },
                "note": { "type": "string", "maxLength": 500 },
                "extend_days": { "type": "integer", "minimum": 0, "maximum": 3660 }
            }
        },
        "ApiKeyCreate": {
            "type": "object", "required": ["name"], "additionalProperties": false,
            "properties": { "name": { "type": "string", "minLength": 1, "maxLength": 100 }, "tenant_id": id }
        },
        "ApiKey": {
            "type": "object", "required": ["id", "prefix", "scope", "name", "created_at"],
            "properties": {
                "id": id, "prefix": { "type": "string" }, "scope": { "enum": ["operator", "tenant"] },
                "tenant_id": id, "name": { "type": "string" }, "created_at": time,
                "last_used_at": { "type": ["string", "null"], "format": "date-time" },
                "revoked_at": { "type": ["string", "null"], "format": "date-time" }
            }
        },
        "ApiKeyCreated": {
            "allOf": [schema("ApiKey"), {
                "type": "object", "required": ["key"],
                "properties": { "key": { "type": "string", "description": "bk_<prefix>_<secret>; shown once" } }
            }]
        }
    })
}
