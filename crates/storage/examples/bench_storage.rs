//! Storage benchmark: bookings per second (no conflicts, and under contention), the time to
//! generate 90 days of slots for 10 services, and, in the same sitting, pgbench's rate for
//! single-row insert transactions on the same server, so the ratio can be compared across
//! machines. Also in the same sitting: the ceiling, the booking's writes alone (no reads, no
//! checks) as one statement through pgbench, which no implementation of the booking can beat.
//!
//! `cargo run --profile perf -p storage --example bench_storage` (needs PostgreSQL and `pgbench`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::panic
)] // a benchmark

use std::{process::Command, sync::Arc, time::Instant};

use booking_core::{
    booking::{Actor, BookingRejection},
    catalogue::{Minutes, Price, ServiceTiming},
    ids::{ServiceId, StaffId, TelegramUserId},
    policy::{Policy, Rules},
    schedule::{Calendar, DayPlan, LocalRange, WeeklyHours},
    slots::{BusyTimes, SlotQuery},
    tenant::TenantSchema,
};
use chrono::{Duration, NaiveDate, TimeZone, Utc};
use secrecy::ExposeSecret;
use storage::{
    BookingError, Db,
    db::PoolSize,
    tenant::{
        bookings::{self, model::BookingRequest, service},
        catalogue, customers, schedule, settings,
    },
};
use test_support::TestDb;

const TASKS: usize = 8;
const STAFF: usize = 20;
const BOOKINGS: usize = 4000;
const CONTENDED_ATTEMPTS: usize = 2000;

#[tokio::main]
async fn main() {
    let t = TestDb::with_pool(PoolSize(TASKS as u32 + 2)).await;
    let (tenant, _) = t.tenant("Bench", chrono_tz::Europe::Moscow).await;
    let schema = TenantSchema::for_tenant(tenant.id);
    let now = Utc.with_ymd_and_hms(2026, 6, 1, 3, 0, 0).unwrap();

    // Ten services, twenty staff giving all of them, open 09:00-21:00 every day.
    let mut tx = t.tx(tenant.id).await;
    let mut services = Vec::new();
    for n in 0..10 {
        let s = catalogue::create_service(
            &mut tx,
            &catalogue::NewService {
                name: format!("Service {n}"),
                description: String::new(),
                timing: ServiceTiming::new(
                    Minutes::new(60),
                    Minutes::new(60),
                    Minutes::new(0),
                    Minutes::new(0),
                )
                .unwrap(),
                price: Price(100_000),
                sort_order: n,
            },
        )
        .await
        .unwrap();
        services.push(s.id);
    }
    let mut staff = Vec::new();
    for n in 0..STAFF {
        staff.push(
            catalogue::create_staff(&mut tx, &format!("Staff {n}"), &services)
                .await
                .unwrap()
                .id,
        );
    }
    let day = DayPlan::new(vec![LocalRange::parse("09:00-21:00").unwrap()], vec![]).unwrap();
    let week = WeeklyHours::uniform(&day, &[0, 1, 2, 3, 4, 5, 6]);
    schedule::set_weekly(&mut tx, None, &week).await.unwrap();
    settings::set_policy(
        &mut tx,
        &Policy {
            horizon_days: 90,
            max_active_bookings: 50,
            ..Policy::default()
        },
    )
    .await
    .unwrap();
    let mut people = Vec::new();
    for n in 0..(BOOKINGS + CONTENDED_ATTEMPTS) {
        let profile = customers::TelegramProfile {
            telegram_user_id: TelegramUserId(n as i64 + 1),
            first_name: format!("C{n}"),
            last_name: None,
            username: None,
        };
        people.push(
            customers::upsert(&mut tx, &profile, None, now)
                .await
                .unwrap()
                .id,
        );
    }
    tx.commit().await.unwrap();

    let db = Arc::new(t.db.clone());
    let first_day = NaiveDate::from_ymd_opt(2026, 6, 2).unwrap();

    // 1. Conflict-free bookings.
    let cpu_before = process_cpu_seconds();
    let started = Instant::now();
    let handles: Vec<_> = (0..TASKS)
        .map(|task| {
            let (db, schema, people, services, staff) = (
                Arc::clone(&db),
                schema.clone(),
                people.clone(),
                services.clone(),
                staff.clone(),
            );
            tokio::spawn(async move {
                for i in (task..BOOKINGS).step_by(TASKS) {
                    let (member, start) = slot(&staff, first_day, i);
                    book(
                        &db,
                        &schema,
                        people[i],
                        services[i % 10],
                        member,
                        start,
                        now,
                    )
                    .await
                    .unwrap();
                }
            })
        })
        .collect();
    for h in handles {
        h.await.unwrap();
    }
    let free_wall = started.elapsed().as_secs_f64();
    let free_rate = BOOKINGS as f64 / free_wall;
    let client_cpu = process_cpu_seconds() - cpu_before;

    // 2. Contention: every attempt wants one of five overlapping times of one staff member.
    let started = Instant::now();
    let contended_day = first_day + Duration::days(80);
    let handles: Vec<_> = (0..TASKS)
        .map(|task| {
            let (db, schema, people, services, member) = (
                Arc::clone(&db),
                schema.clone(),
                people.clone(),
                services.clone(),
                staff[0],
            );
            tokio::spawn(async move {
                let mut won = 0;
                for i in (task..CONTENDED_ATTEMPTS).step_by(TASKS) {
                    let local = contended_day.and_hms_opt(9 + (i % 5) as u32, 0, 0).unwrap();
                    let start = chrono_tz::Europe::Moscow
                        .from_local_datetime(&local)
                        .unwrap()
                        .with_timezone(&Utc);
                    match book(
                        &db,
                        &schema,
                        people[BOOKINGS + i],
                        services[0],
                        member,
                        start,
                        now,
                    )
                    .await
                    {
                        Ok(()) => won += 1,
                        Err(BookingError::Rejected(BookingRejection::SlotTaken)) => {}
                        Err(e) => panic!("unexpected {e:?}"),
                    }
                }
                won
            })
        })
        .collect();
    let mut won = 0;
    for h in handles {
        won += h.await.unwrap();
    }
    let contended_rate = CONTENDED_ATTEMPTS as f64 / started.elapsed().as_secs_f64();
    assert_eq!(won, 5, "exactly one booking per contended time");

    // 3. Slot generation: 90 days x 10 services, in memory and through the database.
    let calendar = Calendar::new(week.clone());
    let busy = BusyTimes::new(vec![]);
    let policy = Policy {
        min_notice: Minutes::new(0),
        horizon_days: 90,
        ..Policy::default()
    };
    let runs = 50;
    let started = Instant::now();
    let mut total = 0;
    for _ in 0..runs {
        for _ in 0..10 {
            let q = SlotQuery {
                zone: chrono_tz::Europe::Moscow,
                timing: ServiceTiming::simple(Minutes::new(45)).unwrap(),
                calendar: &calendar,
                busy: &busy,
                policy: &policy,
                now,
            };
            total += q
                .free_slots(first_day, first_day + Duration::days(89))
                .len();
        }
    }
    let core_ms = started.elapsed().as_secs_f64() * 1000.0 / runs as f64;
    let started = Instant::now();
    let mut via_db = 0;
    let mut tx = db.tenant(&schema).await.unwrap();
    for service in &services {
        via_db += bookings::slots::free(
            &mut tx,
            *service,
            Some(staff[1]),
            first_day,
            first_day + Duration::days(89),
            now,
        )
        .await
        .unwrap()
        .len();
    }
    let db_ms = started.elapsed().as_secs_f64() * 1000.0;
    drop(tx);

    // 4. pgbench, same server, same concurrency: single-row inserts, and the ceiling.
    let pgbench = pgbench_insert_tps(&t);
    let ceiling = pgbench_writes_only_tps(&t, &schema, false);
    let ceiling_tx = pgbench_writes_only_tps(&t, &schema, true);

    println!(
        "machine: {} cores",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    println!("concurrency: {TASKS} tasks, pool {} connections", TASKS + 2);
    println!("bookings, no conflicts:         {free_rate:>8.0} /s ({BOOKINGS} bookings)");
    println!(
        "bookings, under contention:     {contended_rate:>8.0} attempts/s ({CONTENDED_ATTEMPTS} attempts, {won} won)"
    );
    println!(
        "  client (this process) CPU:    {:>8.0}% of the {free_wall:.1} s wall time, {:.0} us per booking",
        client_cpu / free_wall * 100.0,
        client_cpu / BOOKINGS as f64 * 1e6
    );
    println!("pgbench single-row inserts:     {pgbench:>8.0} tps");
    println!(
        "ratio conflict-free / pgbench:  {:>8.2}",
        free_rate / pgbench
    );
    println!(
        "pgbench, the booking's writes alone, one statement: {ceiling:>8.0} tps (ratio {:.2}; bookings reach {:.2} of it)",
        ceiling / pgbench,
        free_rate / ceiling
    );
    println!(
        "  the same in a transaction (begin, scope, it, commit): {ceiling_tx:>8.0} tps (ratio {:.2})",
        ceiling_tx / pgbench
    );
    println!(
        "slots, 90 days x 10 services, in memory:     {core_ms:>7.2} ms ({} slots per run)",
        total / runs
    );
    println!("slots, 90 days x 10 services, one staff, db: {db_ms:>7.2} ms ({via_db} slots)");
}

async fn book(
    db: &Db,
    schema: &TenantSchema,
    customer: booking_core::ids::CustomerId,
    service: ServiceId,
    staff: StaffId,
    start: chrono::DateTime<Utc>,
    now: chrono::DateTime<Utc>,
) -> Result<(), BookingError> {
    let mut tx = db.tenant(schema).await?;
    let req = BookingRequest {
        customer,
        service,
        staff: Some(staff),
        start,
        source: None,
        actor: Actor::Customer(TelegramUserId(1)),
        rules: Rules::Customer,
    };
    service::book(&mut tx, &req, now).await?;
    tx.commit().await?;
    Ok(())
}

fn pgbench_insert_tps(t: &TestDb) -> f64 {
    let setup = Command::new("psql")
        .args([t.url().expose_secret(), "-qc", "create table pgbench_single (id bigserial primary key, x int not null, at timestamptz default now())"])
        .status()
        .expect("psql");
    assert!(setup.success());
    pgbench_tps(
        t,
        "single-insert.sql",
        "insert into pgbench_single (x) values (1);\n",
    )
}

/// The upper bound for any booking path on this server: what a confirmed booking must write
/// (the booking row with its exclusion constraint, indexes and foreign keys, its history line,
/// two reminders and the follow-up in the outbox) as one autocommitted statement, with none of
/// the reads and checks the real path does first. Times lie from 2030 on, one hour each over
/// about 5,700 years and 20 staff, so the bench's own bookings and each other almost never
/// clash (a clash inserts nothing and still counts, as it would cost the same).
///
/// `in_tx` wraps the statement the way a `TenantTx` does (begin, the schema scope, commit), to
/// show what the round trips of a client-side transaction cost before any read is made.
fn pgbench_writes_only_tps(t: &TestDb, schema: &TenantSchema, in_tx: bool) -> f64 {
    let script = r#"\set staff random(1, 20)
\set slot random(1, 50000000)
\set cust random(1, 4000)
\set svc random(1, 10)
with b as (
  insert into SCHEMA.bookings (customer_id, service_id, staff_id, starts_at, ends_at, occupied,
      status, hold_expires_at, price_minor, source)
  select :cust, :svc, :staff, s, s + interval '1 hour', tstzrange(s, s + interval '1 hour', '[)'),
      'confirmed', null, 100000, null
  from (select timestamptz '2030-01-01' + :slot * interval '1 hour' as s) t
  on conflict do nothing
  returning booking_id, status, starts_at),
h as (
  insert into SCHEMA.booking_history (booking_id, at, actor_kind, actor_id, action, new_status,
      new_starts_at)
  select booking_id, now(), 'customer', :cust, 'create', status, starts_at from b),
o as (
  insert into SCHEMA.outbox (kind, booking_id, chat_id, payload, due_at, dedupe_key)
  select m.kind, b.booking_id, :cust, m.payload, b.starts_at - m.before,
      m.kind || ':' || b.booking_id || ':' || m.k
  from b, (values ('reminder', '{"minutes":1440}'::jsonb, interval '24 hours', 1440),
                  ('reminder', '{"minutes":120}'::jsonb, interval '2 hours', 120),
                  ('follow_up', '{}'::jsonb, interval '-3 hours', 0)) as m(kind, payload, before, k)
  on conflict (dedupe_key) do nothing)
select booking_id from b;
"#
    .replace("SCHEMA", schema.as_str());
    if in_tx {
        let (vars, statement) = script.split_at(script.find("with b as").unwrap());
        let scoped = format!(
            "{vars}begin;\nselect set_config('search_path', '{}', true);\n{statement}commit;\n",
            schema.as_str()
        );
        pgbench_tps(t, "writes-only-tx.sql", &scoped)
    } else {
        pgbench_tps(t, "writes-only.sql", &script)
    }
}

/// Runs one pgbench script for 10 s at the bench's concurrency and returns its tps.
fn pgbench_tps(t: &TestDb, file: &str, script: &str) -> f64 {
    let url = t.url();
    let url = url.expose_secret();
    let path = std::env::temp_dir().join(file);
    std::fs::write(&path, script).unwrap();
    let out = Command::new("pgbench")
        .args([
            "-n",
            "-M",
            "prepared",
            "-c",
            &TASKS.to_string(),
            "-j",
            "2",
            "-T",
            "10",
            "-f",
        ])
        .arg(&path)
        .arg(url)
        .output()
        .expect("pgbench (apt-get install postgresql-contrib or postgresql-client)");
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .find_map(|l| l.strip_prefix("tps = "))
        .and_then(|l| l.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| {
            panic!(
                "no tps in pgbench output: {text}{}",
                String::from_utf8_lossy(&out.stderr)
            )
        })
}

/// A distinct (staff, hour) for every `i`: 20 staff x 12 hours x as many days as needed.
fn slot(staff: &[StaffId], first_day: NaiveDate, i: usize) -> (StaffId, chrono::DateTime<Utc>) {
    let member = staff[i % STAFF];
    let hour = (i / STAFF) % 12;
    let day = first_day + Duration::days(((i / STAFF) / 12) as i64);
    let local = day.and_hms_opt(9 + hour as u32, 0, 0).unwrap();
    (
        member,
        chrono_tz::Europe::Moscow
            .from_local_datetime(&local)
            .unwrap()
            .with_timezone(&Utc),
    )
}

/// This process's user + system CPU time, from /proc (Linux), to tell client cost from server cost.
fn process_cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which may hold spaces) start after the last ')'.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or(vec![], |(_, rest)| rest.split_whitespace().collect());
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the ')'; 100 ticks/s.
    (ticks(11) + ticks(12)) / 100.0
}
