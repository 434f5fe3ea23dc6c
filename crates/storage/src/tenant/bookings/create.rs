//! Holding and booking a time: the checks that give a precise reason, then one insert that the
//! exclusion constraint decides.

use booking_core::{
    booking::{BookingRejection, BookingStatus},
    catalogue::{Price, Service},
    ids::StaffId,
    policy::Policy,
    slots::{BusyTimes, Slot, SlotQuery},
    time::{Interval, within_reach},
};
use chrono::{DateTime, Duration, Utc};
use sqlx::{PgConnection, Row};

use super::{
    model::{Booking, BookingRequest, COLUMNS, from_row},
    seats::{self, SessionId},
};
use crate::{
    db::TenantTx,
    error::{BookingError, StorageError},
    tenant::{
        catalogue, schedule,
        settings::{self, TenantProfile},
    },
};

/// What creating a booking needs, read in one round trip.
struct CreateContext {
    profile: TenantProfile,
    service: Service,
    /// Active staff who give the service (only the requested one, if any), in display order.
    staff: Vec<StaffId>,
    /// The customer's upcoming live bookings.
    active: i64,
}

/// Serialises one customer's requests, so two taps cannot both slip under the active-booking
/// limit, then reads settings, the service, its staff and the customer's active bookings in
/// one statement.
///
/// The lock must be its own statement: under READ COMMITTED each statement takes its snapshot
/// when it starts, so a count in the statement that waited for the lock would not see the
/// booking the lock holder just committed. An advisory lock keyed by schema and customer does
/// what `select ... for update` on the customer row would, without writing WAL.
async fn create_context(
    tx: &mut TenantTx,
    req: &BookingRequest,
    now: DateTime<Utc>,
) -> Result<CreateContext, BookingError> {
    sqlx::query(
        "select pg_advisory_xact_lock(hashtextextended(current_schema() || ':customer:' || $1, 0))",
    )
    .bind(req.customer.get())
    .execute(tx.conn())
    .await?;
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "select \
             (select coalesce(json_object_agg(key, value), '{{}}') from settings \
                where key in ('name', 'time_zone', 'locale', 'policy', 'currency')) as settings, \
             (select count(*) from bookings b where b.customer_id = c.customer_id and b.starts_at > $3 \
                and (b.status = 'confirmed' or (b.status = 'held' and b.hold_expires_at > $3))) as active_bookings, \
             (select coalesce(array_agg(x.staff_id order by x.sort_order, x.staff_id), '{{}}') from staff x \
                where x.active and ($4::bigint is null or x.staff_id = $4) and exists \
                  (select 1 from staff_services ss where ss.staff_id = x.staff_id and ss.service_id = $2)) \
               as staff_ids, \
             {service_columns} \
         from customers c left join services s on s.service_id = $2 \
         where c.customer_id = $1",
        service_columns = catalogue::SERVICE_COLUMNS
            .split(", ")
            .map(|c| format!("s.{}", c.trim()))
            .collect::<Vec<_>>()
            .join(", ")
    )))
    .bind(req.customer.get())
    .bind(req.service.get())
    .bind(now)
    .bind(req.staff.map(StaffId::get))
    .fetch_optional(tx.conn())
    .await?
    .ok_or(BookingRejection::NotFound)?;
    let settings: serde_json::Value = row.try_get("settings")?;
    let pairs = match settings {
        serde_json::Value::Object(map) => map.into_iter().collect::<Vec<_>>(),
        _ => vec![],
    };
    let profile = settings::profile_from(pairs)?;
    if row.try_get::<Option<i64>, _>("service_id")?.is_none() {
        return Err(BookingRejection::ServiceUnavailable.into());
    }
    let service = catalogue::service_from_row(&row)?;
    if !service.active {
        return Err(BookingRejection::ServiceUnavailable.into());
    }
    let staff: Vec<i64> = row.try_get("staff_ids")?;
    if staff.is_empty() {
        return Err(BookingRejection::StaffUnavailable.into());
    }
    Ok(CreateContext {
        profile,
        service,
        staff: staff.into_iter().map(StaffId).collect(),
        active: row.try_get("active_bookings")?,
    })
}

/// A start outside the years the platform deals in is refused before any arithmetic on it.
pub(super) fn check_reach(
    start: DateTime<Utc>,
    now: DateTime<Utc>,
    policy: &Policy,
) -> Result<(), BookingRejection> {
    if within_reach(start) {
        Ok(())
    } else if start < now {
        Err(BookingRejection::InThePast)
    } else {
        Err(BookingRejection::BeyondHorizon {
            days: policy.horizon_days,
        })
    }
}

/// Holds (`status` held) or books (confirmed) the requested time; with the tenant's policy,
/// which the booking's reminders follow.
pub(super) async fn create(
    tx: &mut TenantTx,
    req: &BookingRequest,
    status: BookingStatus,
    now: DateTime<Utc>,
) -> Result<(Booking, Policy), BookingError> {
    let ctx = create_context(tx, req, now).await?;
    let policy = ctx.profile.policy.under(req.rules);
    check_reach(req.start, now, &policy)?;
    policy.check_active_limit(req.rules, ctx.active)?;

    let date = req.start.with_timezone(&ctx.profile.time_zone).date_naive();
    let ids = ctx.staff.clone();
    let calendars = schedule::calendars(tx, &ids, date, date).await?;
    let around = Interval {
        start: req.start - Duration::days(1),
        end: req.start + Duration::days(2),
    };
    let blocks = schedule::blocks(tx, &ids, around).await?;

    let mut first_rejection = None;
    let mut seat_rejection = None;
    let mut any_valid = false;
    for &member in &ctx.staff {
        let calendar = calendars.get(&member).cloned().unwrap_or_default();
        let member_blocks: Vec<Interval> = blocks
            .iter()
            .filter(|b| b.staff.is_none_or(|s| s == member))
            .map(|b| b.period)
            .collect();
        let busy = BusyTimes::new(member_blocks);
        let query = SlotQuery {
            zone: ctx.profile.time_zone,
            timing: ctx.service.timing,
            calendar: &calendar,
            busy: &busy,
            policy: &policy,
            now,
        };
        let slot = match query.check_start(req.start) {
            Ok(slot) => slot,
            Err(rejection) => {
                first_rejection.get_or_insert(rejection);
                continue;
            }
        };
        any_valid = true;
        let occupied = query.occupied(&slot);
        // A class: a seat in its session at this start, counted under the session's lock.
        let session = match ctx.service.seats {
            None => None,
            Some(seats) => {
                let at = seats::At {
                    staff: member,
                    service: ctx.service.id,
                    start: slot.start,
                };
                match seats::reserve(tx.conn(), &at, seats, req.customer, now).await? {
                    Ok(session) => Some(session),
                    Err(BookingRejection::ClassFull) => {
                        seat_rejection.get_or_insert(BookingRejection::ClassFull);
                        continue;
                    }
                    Err(other) => return Err(other.into()),
                }
            }
        };
        let hold_until = (status == BookingStatus::Held).then(|| policy.hold_until(now));
        let insert = Insert {
            req,
            staff: member,
            slot,
            occupied,
            status,
            hold_until,
            price: ctx.service.price,
            session,
            now,
        };
        // The insert reports a taken slot as "no row" rather than an error, so the caller's
        // transaction stays usable: "any staff" falls through to the next member, and a
        // customer can be offered other times in the same transaction.
        if let Some(booking) = insert.run(tx.conn()).await? {
            return Ok((booking, ctx.profile.policy));
        }
    }
    Err(if any_valid {
        seat_rejection.unwrap_or(BookingRejection::SlotTaken)
    } else {
        first_rejection.unwrap_or(BookingRejection::StaffUnavailable)
    }
    .into())
}

struct Insert<'a> {
    req: &'a BookingRequest,
    staff: StaffId,
    slot: Slot,
    occupied: Interval,
    status: BookingStatus,
    hold_until: Option<DateTime<Utc>>,
    price: Price,
    /// The class session the booking is a seat of.
    session: Option<SessionId>,
    now: DateTime<Utc>,
}

impl Insert<'_> {
    /// Inserts the booking and its first history line; `None` when the time is taken.
    ///
    /// `on conflict do nothing` without a target also arbitrates exclusion constraints, so a
    /// clash with a live booking yields no row instead of aborting the transaction. Only then
    /// are lapsed holds in the way expired, and the insert tried once more.
    async fn run(&self, conn: &mut PgConnection) -> Result<Option<Booking>, BookingError> {
        if let Some(booking) = self.try_insert(conn).await? {
            return Ok(Some(booking));
        }
        if expire_lapsed_holds(conn, self.staff, self.occupied, self.now).await? == 0 {
            return Ok(None);
        }
        self.try_insert(conn).await
    }

    async fn try_insert(&self, conn: &mut PgConnection) -> Result<Option<Booking>, BookingError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "with b as ( \
                 insert into bookings (customer_id, service_id, staff_id, starts_at, ends_at, occupied, \
                     status, hold_expires_at, price_minor, source, session_id) \
                 values ($1, $2, $3, $4, $5, tstzrange($6, $7, '[)'), $8, $9, $10, $11, $15) \
                 on conflict do nothing \
                 returning {COLUMNS}), \
             h as ( \
                 insert into booking_history (booking_id, at, actor_kind, actor_id, action, new_status, new_starts_at) \
                 select booking_id, $12, $13, $14, 'create', status, starts_at from b) \
             select {COLUMNS} from b"
        )))
        .bind(self.req.customer.get())
        .bind(self.req.service.get())
        .bind(self.staff.get())
        .bind(self.slot.start)
        .bind(self.slot.end)
        .bind(self.occupied.start)
        .bind(self.occupied.end)
        .bind(self.status.as_str())
        .bind(self.hold_until)
        .bind(self.price.0)
        .bind(&self.req.source)
        .bind(self.now)
        .bind(self.req.actor.kind())
        .bind(self.req.actor.id())
        .bind(self.session.map(SessionId::get))
        .fetch_optional(conn)
        .await?;
        Ok(row.as_ref().map(from_row).transpose()?)
    }
}

/// Marks lapsed holds that stand in the way as expired, inside the caller's transaction, so an
/// expired hold never blocks anyone.
pub(super) async fn expire_lapsed_holds(
    conn: &mut PgConnection,
    staff: StaffId,
    occupied: Interval,
    now: DateTime<Utc>,
) -> Result<u64, StorageError> {
    let done = sqlx::query(
        "with e as ( \
             update bookings set status = 'expired' \
             where staff_id = $1 and status = 'held' and hold_expires_at <= $4 \
               and occupied && tstzrange($2, $3, '[)') \
             returning booking_id) \
         insert into booking_history (booking_id, at, actor_kind, action, old_status, new_status) \
         select booking_id, $4, 'system', 'expire', 'held', 'expired' from e",
    )
    .bind(staff.get())
    .bind(occupied.start)
    .bind(occupied.end)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}
