//! Bookings in a tenant's schema.
//!
//! The database guarantees that two live bookings of one staff member never overlap (the
//! `bookings_no_overlap` exclusion constraint); the checks here exist to give a precise reason
//! ("too soon", "outside working hours") before the insert, and the constraint decides races.

use std::collections::HashMap;

use booking_core::{
    Tz,
    booking::{Actor, BookingRejection, BookingStatus},
    catalogue::{Minutes, Price, Service, Staff},
    ids::{BookingId, CustomerId, ServiceId, StaffId, TelegramUserId},
    policy::Policy,
    slots::{BusyTimes, Slot, SlotQuery},
    time::Interval,
};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Serialize;
use sqlx::{
    PgConnection, Row,
    postgres::{PgRow, types::PgRange},
};

use crate::{
    db::TenantTx,
    error::{BookingError, StorageError},
    tenant::{
        catalogue, outbox, reminders,
        schedule::{self, interval_of},
        settings::{self, TenantProfile},
        waitlist,
    },
};

/// A booking row.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Booking {
    pub id: BookingId,
    pub customer_id: CustomerId,
    pub service_id: ServiceId,
    pub staff_id: StaffId,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub status: BookingStatus,
    pub hold_expires_at: Option<DateTime<Utc>>,
    pub price: Price,
    pub source: Option<String>,
}

/// A booking with the names people read.
#[derive(Clone, Debug, Serialize)]
pub struct BookingView {
    #[serde(flatten)]
    pub booking: Booking,
    pub service_name: String,
    pub staff_name: String,
    pub customer_name: String,
    pub customer_phone: Option<String>,
    pub telegram_user_id: TelegramUserId,
}

/// A free slot with the staff member who would take it.
#[derive(Copy, Clone, Debug, Serialize, PartialEq, Eq)]
pub struct StaffSlot {
    pub staff_id: StaffId,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// Which rules apply to a request.
#[derive(Copy, Clone, Eq, PartialEq, Debug)]
pub enum Rules {
    /// A customer (bot or API): every policy rule.
    Customer,
    /// The business's own staff: working hours and blocks still hold, but minimum notice,
    /// the horizon, the active-booking limit and the cut-offs do not.
    Staff,
}

/// A request to book (or hold) a time.
#[derive(Clone, Debug)]
pub struct BookingRequest {
    pub customer: CustomerId,
    pub service: ServiceId,
    /// `None`: any staff member who gives the service and is free.
    pub staff: Option<StaffId>,
    pub start: DateTime<Utc>,
    pub source: Option<String>,
    pub actor: Actor,
    pub rules: Rules,
}

/// One line of a booking's history.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct HistoryEntry {
    pub at: DateTime<Utc>,
    pub actor_kind: String,
    pub actor_id: Option<i64>,
    pub action: String,
    pub old_status: Option<String>,
    pub new_status: Option<String>,
    pub old_start: Option<DateTime<Utc>>,
    pub new_start: Option<DateTime<Utc>>,
    pub reason: Option<String>,
}

const COLUMNS: &str = "booking_id, customer_id, service_id, staff_id, starts_at, ends_at, status, \
    hold_expires_at, price_minor, source";

fn from_row(row: &PgRow) -> Result<Booking, StorageError> {
    let status: String = row.try_get("status")?;
    Ok(Booking {
        id: BookingId(row.try_get("booking_id")?),
        customer_id: CustomerId(row.try_get("customer_id")?),
        service_id: ServiceId(row.try_get("service_id")?),
        staff_id: StaffId(row.try_get("staff_id")?),
        start: row.try_get("starts_at")?,
        end: row.try_get("ends_at")?,
        status: status.parse().map_err(StorageError::Corrupt)?,
        hold_expires_at: row.try_get("hold_expires_at")?,
        price: Price(row.try_get("price_minor")?),
        source: row.try_get("source")?,
    })
}

/// What slot computations need besides the bookings themselves.
struct Context {
    profile: TenantProfile,
    service: Service,
    staff: Vec<Staff>,
}

async fn context(
    tx: &mut TenantTx,
    service: ServiceId,
    staff: Option<StaffId>,
) -> Result<Context, BookingError> {
    let profile = settings::profile(tx).await?;
    let service = catalogue::service(tx, service)
        .await?
        .filter(|s| s.active)
        .ok_or(BookingRejection::ServiceUnavailable)?;
    let mut givers = catalogue::staff_for_service(tx, service.id).await?;
    if let Some(wanted) = staff {
        givers.retain(|s| s.id == wanted);
        if givers.is_empty() {
            return Err(BookingRejection::StaffUnavailable.into());
        }
    }
    Ok(Context {
        profile,
        service,
        staff: givers,
    })
}

/// The policy as it applies under `rules`.
fn effective_policy(policy: &Policy, rules: Rules) -> Policy {
    match rules {
        Rules::Customer => policy.clone(),
        Rules::Staff => Policy {
            min_notice: Minutes::new(0),
            horizon_days: 3650,
            ..policy.clone()
        },
    }
}

/// Free slots for a service between two local dates, for one staff member or any.
///
/// With "any", each start is offered once, taken by the first free staff member in display
/// order.
pub async fn free_slots(
    tx: &mut TenantTx,
    service: ServiceId,
    staff: Option<StaffId>,
    from: NaiveDate,
    to: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Vec<StaffSlot>, BookingError> {
    Ok(free_slots_in_zone(tx, service, staff, from, to, now)
        .await?
        .1)
}

/// The local dates between `from` and `to` that have at least one free slot.
pub async fn bookable_dates(
    tx: &mut TenantTx,
    service: ServiceId,
    staff: Option<StaffId>,
    from: NaiveDate,
    to: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Vec<NaiveDate>, BookingError> {
    let (zone, slots) = free_slots_in_zone(tx, service, staff, from, to, now).await?;
    let mut dates: Vec<NaiveDate> = slots
        .iter()
        .map(|s| s.start.with_timezone(&zone).date_naive())
        .collect();
    dates.dedup();
    Ok(dates)
}

/// Free slots merged over staff, with the tenant's zone they were computed in.
async fn free_slots_in_zone(
    tx: &mut TenantTx,
    service: ServiceId,
    staff: Option<StaffId>,
    from: NaiveDate,
    to: NaiveDate,
    now: DateTime<Utc>,
) -> Result<(Tz, Vec<StaffSlot>), BookingError> {
    let (zone, per_staff) = free_slots_by_staff(tx, service, staff, from, to, now).await?;
    let mut merged: Vec<StaffSlot> = Vec::new();
    for (staff_id, slots) in per_staff {
        merged.extend(slots.into_iter().map(|s| StaffSlot {
            staff_id,
            start: s.start,
            end: s.end,
        }));
    }
    // Stable sort keeps display order among staff for equal starts; dedup keeps the first.
    merged.sort_by_key(|s| s.start);
    merged.dedup_by_key(|s| s.start);
    Ok((zone, merged))
}

async fn free_slots_by_staff(
    tx: &mut TenantTx,
    service: ServiceId,
    staff: Option<StaffId>,
    from: NaiveDate,
    to: NaiveDate,
    now: DateTime<Utc>,
) -> Result<(Tz, Vec<(StaffId, Vec<Slot>)>), BookingError> {
    let ctx = context(tx, service, staff).await?;
    let ids: Vec<StaffId> = ctx.staff.iter().map(|s| s.id).collect();
    let calendars = schedule::calendars(tx, &ids, from, to).await?;
    // Generous bounds: a local date spans at most 26 hours around UTC midnight.
    let window = Interval {
        start: from.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc() - Duration::days(1),
        end: to.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc() + Duration::days(2),
    };
    let mut busy = busy_by_staff(tx, &ids, window, now).await?;
    for block in schedule::blocks(tx, &ids, window).await? {
        let affected: Vec<StaffId> = block.staff.map_or_else(|| ids.clone(), |s| vec![s]);
        for s in affected {
            busy.entry(s).or_default().push(block.period);
        }
    }
    let mut out = Vec::with_capacity(ctx.staff.len());
    for member in &ctx.staff {
        let calendar = calendars.get(&member.id).cloned().unwrap_or_default();
        let busy = BusyTimes::new(busy.remove(&member.id).unwrap_or_default());
        let query = SlotQuery {
            zone: ctx.profile.time_zone,
            timing: ctx.service.timing,
            calendar: &calendar,
            busy: &busy,
            policy: &ctx.profile.policy,
            now,
        };
        out.push((member.id, query.free_slots(from, to)));
    }
    Ok((ctx.profile.time_zone, out))
}

/// Occupied time of live bookings (confirmed, or held and not lapsed) per staff member.
async fn busy_by_staff(
    tx: &mut TenantTx,
    staff: &[StaffId],
    window: Interval,
    now: DateTime<Utc>,
) -> Result<HashMap<StaffId, Vec<Interval>>, StorageError> {
    let ids: Vec<i64> = staff.iter().map(|s| s.get()).collect();
    let rows = sqlx::query(
        "select staff_id, occupied from bookings \
         where staff_id = any($1) and occupied && tstzrange($2, $3, '[)') \
           and (status = 'confirmed' or (status = 'held' and hold_expires_at > $4))",
    )
    .bind(&ids)
    .bind(window.start)
    .bind(window.end)
    .bind(now)
    .fetch_all(tx.conn())
    .await?;
    let mut out: HashMap<StaffId, Vec<Interval>> = HashMap::new();
    for row in rows {
        let range: PgRange<DateTime<Utc>> = row.try_get("occupied")?;
        out.entry(StaffId(row.try_get("staff_id")?))
            .or_default()
            .push(interval_of(&range)?);
    }
    Ok(out)
}

/// Holds a slot for the policy's hold time (the confirm screen).
pub async fn hold(
    tx: &mut TenantTx,
    req: &BookingRequest,
    now: DateTime<Utc>,
) -> Result<Booking, BookingError> {
    create(tx, req, BookingStatus::Held, now).await
}

/// Books a slot outright (API, admin, or a customer whose client has no confirm step).
pub async fn book(
    tx: &mut TenantTx,
    req: &BookingRequest,
    now: DateTime<Utc>,
) -> Result<Booking, BookingError> {
    create(tx, req, BookingStatus::Confirmed, now).await
}

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
                where key in ('name', 'time_zone', 'locale', 'policy')) as settings, \
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

async fn create(
    tx: &mut TenantTx,
    req: &BookingRequest,
    status: BookingStatus,
    now: DateTime<Utc>,
) -> Result<Booking, BookingError> {
    let ctx = create_context(tx, req, now).await?;
    let policy = effective_policy(&ctx.profile.policy, req.rules);
    if req.rules == Rules::Customer && ctx.active >= i64::from(policy.max_active_bookings) {
        return Err(BookingRejection::LimitReached {
            limit: policy.max_active_bookings,
        }
        .into());
    }

    let date = req.start.with_timezone(&ctx.profile.time_zone).date_naive();
    let ids = ctx.staff.clone();
    let calendars = schedule::calendars(tx, &ids, date, date).await?;
    let around = Interval {
        start: req.start - Duration::days(1),
        end: req.start + Duration::days(2),
    };
    let blocks = schedule::blocks(tx, &ids, around).await?;

    let mut first_rejection = None;
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
        let hold_until = (status == BookingStatus::Held).then(|| policy.hold_until(now));
        let insert = Insert {
            req,
            staff: member,
            slot,
            occupied,
            status,
            hold_until,
            price: ctx.service.price,
            now,
        };
        // The insert reports a taken slot as "no row" rather than an error, so the caller's
        // transaction stays usable: "any staff" falls through to the next member, and a
        // customer can be offered other times in the same transaction.
        if let Some(booking) = insert.run(tx.conn()).await? {
            // A booking made confirmed (API, admin) gets its reminders here; a hold gets them
            // when it is confirmed.
            reminders::schedule(tx, &booking, &ctx.profile.policy, now).await?;
            return Ok(booking);
        }
    }
    Err(if any_valid {
        BookingRejection::SlotTaken
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
                     status, hold_expires_at, price_minor, source) \
                 values ($1, $2, $3, $4, $5, tstzrange($6, $7, '[)'), $8, $9, $10, $11) \
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
        .fetch_optional(conn)
        .await?;
        Ok(row.as_ref().map(from_row).transpose()?)
    }
}

/// Marks lapsed holds that stand in the way as expired, inside the caller's transaction, so an
/// expired hold never blocks anyone.
async fn expire_lapsed_holds(
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

/// Confirms a customer's hold. A lapsed hold that nobody else needed is still confirmed; one
/// whose time was taken meanwhile gets [`BookingRejection::SlotTaken`].
pub async fn confirm(
    tx: &mut TenantTx,
    id: BookingId,
    customer: CustomerId,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<Booking, BookingError> {
    let current = lock(tx, id, Some(customer)).await?;
    let policy = settings::profile(tx).await?.policy;
    match current.status {
        BookingStatus::Held => {}
        BookingStatus::Expired => {}
        status => return Err(BookingRejection::NotChangeable { status }.into()),
    }
    if current.start < policy.earliest_start(now) {
        return Err(BookingRejection::TooSoon {
            min_notice: policy.min_notice,
        }
        .into());
    }
    // Reviving an expired hold re-enters the exclusion constraint, which says if it was taken.
    let mut sp = tx.savepoint().await.map_err(StorageError::from)?;
    let result = set_status(
        &mut sp,
        &current,
        BookingStatus::Confirmed,
        actor,
        "confirm",
        None,
        now,
    )
    .await;
    match result {
        Ok(b) => {
            sp.commit().await.map_err(StorageError::from)?;
            reminders::schedule(tx, &b, &policy, now).await?;
            Ok(b)
        }
        Err(e) => {
            sp.rollback().await.map_err(StorageError::from)?;
            Err(e)
        }
    }
}

/// Cancels a live booking. With `customer`, only that customer's booking is found (anyone
/// else's is "not found"), and under customer rules the cancel cut-off applies. Unsent
/// reminders of the booking are cancelled with it.
pub async fn cancel(
    tx: &mut TenantTx,
    id: BookingId,
    customer: Option<CustomerId>,
    actor: Actor,
    rules: Rules,
    reason: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Booking, BookingError> {
    let current = lock(tx, id, customer).await?;
    if !current.status.is_live() {
        return Err(BookingRejection::NotChangeable {
            status: current.status,
        }
        .into());
    }
    if rules == Rules::Customer && current.status == BookingStatus::Confirmed {
        settings::profile(tx)
            .await?
            .policy
            .check_cancel(current.start, now)?;
    }
    let booking = set_status(
        tx.conn(),
        &current,
        BookingStatus::Cancelled,
        actor,
        "cancel",
        reason,
        now,
    )
    .await?;
    outbox::cancel_for_booking(tx, id, now).await?;
    waitlist::time_freed(tx, &current, now).await?;
    Ok(booking)
}

/// Marks a past visit completed or a no-show (staff only).
pub async fn mark_outcome(
    tx: &mut TenantTx,
    id: BookingId,
    outcome: BookingStatus,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<Booking, BookingError> {
    if !matches!(outcome, BookingStatus::Completed | BookingStatus::NoShow) {
        return Err(BookingRejection::NotChangeable { status: outcome }.into());
    }
    let current = lock(tx, id, None).await?;
    if current.status != BookingStatus::Confirmed {
        return Err(BookingRejection::NotChangeable {
            status: current.status,
        }
        .into());
    }
    set_status(
        tx.conn(),
        &current,
        outcome,
        actor,
        outcome.as_str(),
        None,
        now,
    )
    .await
}

/// Moves a confirmed booking to `new_start` (same service and staff member) in one statement:
/// either it moves, or nothing changes and the old time is kept.
pub async fn reschedule(
    tx: &mut TenantTx,
    id: BookingId,
    customer: Option<CustomerId>,
    new_start: DateTime<Utc>,
    actor: Actor,
    rules: Rules,
    now: DateTime<Utc>,
) -> Result<Booking, BookingError> {
    let current = lock(tx, id, customer).await?;
    if current.status != BookingStatus::Confirmed {
        return Err(BookingRejection::NotChangeable {
            status: current.status,
        }
        .into());
    }
    let ctx = context(tx, current.service_id, Some(current.staff_id)).await?;
    let policy = effective_policy(&ctx.profile.policy, rules);
    if rules == Rules::Customer {
        policy.check_reschedule(current.start, now)?;
    }
    let date = new_start.with_timezone(&ctx.profile.time_zone).date_naive();
    let calendar = schedule::calendars(tx, &[current.staff_id], date, date)
        .await?
        .remove(&current.staff_id)
        .unwrap_or_default();
    let around = Interval {
        start: new_start - Duration::days(1),
        end: new_start + Duration::days(2),
    };
    let blocks: Vec<Interval> = schedule::blocks(tx, &[current.staff_id], around)
        .await?
        .into_iter()
        .map(|b| b.period)
        .collect();
    let busy = BusyTimes::new(blocks);
    let query = SlotQuery {
        zone: ctx.profile.time_zone,
        timing: ctx.service.timing,
        calendar: &calendar,
        busy: &busy,
        policy: &policy,
        now,
    };
    let slot = query.check_start(new_start)?;
    let occupied = query.occupied(&slot);

    let mut sp = tx.savepoint().await.map_err(StorageError::from)?;
    expire_lapsed_holds(&mut sp, current.staff_id, occupied, now).await?;
    let moved = sqlx::query(sqlx::AssertSqlSafe(format!(
        "with b as ( \
             update bookings set starts_at = $2, ends_at = $3, occupied = tstzrange($4, $5, '[)'), \
                 customer_confirmed_at = null \
             where booking_id = $1 returning {COLUMNS}), \
         h as ( \
             insert into booking_history (booking_id, at, actor_kind, actor_id, action, old_status, new_status, \
                 old_starts_at, new_starts_at) \
             select booking_id, $6, $7, $8, 'reschedule', status, status, $9, starts_at from b) \
         select {COLUMNS} from b"
    )))
    .bind(id.get())
    .bind(slot.start)
    .bind(slot.end)
    .bind(occupied.start)
    .bind(occupied.end)
    .bind(now)
    .bind(actor.kind())
    .bind(actor.id())
    .bind(current.start)
    .fetch_one(&mut *sp)
    .await;
    match moved {
        Ok(row) => {
            sp.commit().await.map_err(StorageError::from)?;
            outbox::cancel_for_booking(tx, id, now).await?;
            let moved = from_row(&row)?;
            reminders::reschedule(tx, &moved, &ctx.profile.policy, now).await?;
            waitlist::time_freed(tx, &current, now).await?;
            Ok(moved)
        }
        Err(e) => {
            sp.rollback().await.map_err(StorageError::from)?;
            Err(e.into())
        }
    }
}

/// Locks a booking row for update; with `customer`, only if it is theirs.
async fn lock(
    tx: &mut TenantTx,
    id: BookingId,
    customer: Option<CustomerId>,
) -> Result<Booking, BookingError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "select {COLUMNS} from bookings where booking_id = $1 and ($2::bigint is null or customer_id = $2) for update"
    )))
    .bind(id.get())
    .bind(customer.map(CustomerId::get))
    .fetch_optional(tx.conn())
    .await?;
    match row {
        Some(row) => Ok(from_row(&row)?),
        None => Err(BookingRejection::NotFound.into()),
    }
}

async fn set_status(
    conn: &mut PgConnection,
    current: &Booking,
    to: BookingStatus,
    actor: Actor,
    action: &str,
    reason: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Booking, BookingError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "with b as ( \
             update bookings set status = $2 where booking_id = $1 returning {COLUMNS}), \
         h as ( \
             insert into booking_history (booking_id, at, actor_kind, actor_id, action, old_status, new_status, reason) \
             select booking_id, $3, $4, $5, $6, $7, status, $8 from b) \
         select {COLUMNS} from b"
    )))
    .bind(current.id.get())
    .bind(to.as_str())
    .bind(now)
    .bind(actor.kind())
    .bind(actor.id())
    .bind(action)
    .bind(current.status.as_str())
    .bind(reason)
    .fetch_one(conn)
    .await?;
    Ok(from_row(&row)?)
}

pub async fn get(tx: &mut TenantTx, id: BookingId) -> Result<Option<Booking>, StorageError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "select {COLUMNS} from bookings where booking_id = $1"
    )))
    .bind(id.get())
    .fetch_optional(tx.conn())
    .await?;
    row.as_ref().map(from_row).transpose()
}

const VIEW_SELECT: &str = "select b.booking_id, b.customer_id, b.service_id, b.staff_id, b.starts_at, b.ends_at, \
        b.status, b.hold_expires_at, b.price_minor, b.source, s.name as service_name, st.name as staff_name, \
        trim(c.first_name || ' ' || coalesce(c.last_name, '')) as customer_name, c.phone, c.telegram_user_id \
    from bookings b join services s using (service_id) join staff st using (staff_id) \
        join customers c using (customer_id)";

fn view_from_row(row: &PgRow) -> Result<BookingView, StorageError> {
    Ok(BookingView {
        booking: from_row(row)?,
        service_name: row.try_get("service_name")?,
        staff_name: row.try_get("staff_name")?,
        customer_name: row.try_get("customer_name")?,
        customer_phone: row.try_get("phone")?,
        telegram_user_id: TelegramUserId(row.try_get("telegram_user_id")?),
    })
}

/// A customer's upcoming live bookings (soonest first) or past ones (latest first).
pub async fn for_customer(
    tx: &mut TenantTx,
    customer: CustomerId,
    upcoming: bool,
    now: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<BookingView>, StorageError> {
    let sql = if upcoming {
        format!(
            "{VIEW_SELECT} where b.customer_id = $1 and b.ends_at > $2 and b.status = 'confirmed' \
             order by b.starts_at limit $3"
        )
    } else {
        format!(
            "{VIEW_SELECT} where b.customer_id = $1 and (b.ends_at <= $2 or b.status in ('completed', 'no_show', 'cancelled')) \
               and b.status <> 'expired' and b.status <> 'held' \
             order by b.starts_at desc limit $3"
        )
    };
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(customer.get())
        .bind(now)
        .bind(limit)
        .fetch_all(tx.conn())
        .await?;
    rows.iter().map(view_from_row).collect()
}

/// Confirmed, completed and no-show bookings whose visit starts within `[from, to)`, for a
/// staff member or everyone, in time order.
pub async fn in_range(
    tx: &mut TenantTx,
    window: Interval,
    staff: Option<StaffId>,
) -> Result<Vec<BookingView>, StorageError> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "{VIEW_SELECT} where b.starts_at >= $1 and b.starts_at < $2 \
           and b.status in ('confirmed', 'completed', 'no_show') \
           and ($3::bigint is null or b.staff_id = $3) \
         order by b.starts_at, b.staff_id"
    )))
    .bind(window.start)
    .bind(window.end)
    .bind(staff.map(StaffId::get))
    .fetch_all(tx.conn())
    .await?;
    rows.iter().map(view_from_row).collect()
}

/// The bookings of one local date in the tenant's zone.
pub async fn for_day(
    tx: &mut TenantTx,
    date: NaiveDate,
    staff: Option<StaffId>,
) -> Result<Vec<BookingView>, StorageError> {
    let zone = settings::profile(tx).await?.time_zone;
    let local_midnight = |d: NaiveDate| {
        d.and_hms_opt(0, 0, 0)
            .and_then(|t| t.and_local_timezone(zone).earliest())
            .map(|t| t.with_timezone(&Utc))
    };
    let (Some(start), Some(end)) = (
        local_midnight(date),
        local_midnight(date + Duration::days(1)),
    ) else {
        return Ok(vec![]);
    };
    in_range(tx, Interval { start, end }, staff).await
}

/// Every change of a booking, oldest first.
pub async fn history(tx: &mut TenantTx, id: BookingId) -> Result<Vec<HistoryEntry>, StorageError> {
    let rows = sqlx::query(
        "select at, actor_kind, actor_id, action, old_status, new_status, old_starts_at, new_starts_at, reason \
         from booking_history where booking_id = $1 order by at, booking_history_id",
    )
    .bind(id.get())
    .fetch_all(tx.conn())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(HistoryEntry {
                at: r.try_get("at")?,
                actor_kind: r.try_get("actor_kind")?,
                actor_id: r.try_get("actor_id")?,
                action: r.try_get("action")?,
                old_status: r.try_get("old_status")?,
                new_status: r.try_get("new_status")?,
                old_start: r.try_get("old_starts_at")?,
                new_start: r.try_get("new_starts_at")?,
                reason: r.try_get("reason")?,
            })
        })
        .collect()
}

/// Marks every lapsed hold expired (the sweeper; correctness does not depend on it).
pub async fn expire_holds(tx: &mut TenantTx, now: DateTime<Utc>) -> Result<u64, StorageError> {
    let done = sqlx::query(
        "with e as (update bookings set status = 'expired' where status = 'held' and hold_expires_at <= $1 \
             returning booking_id) \
         insert into booking_history (booking_id, at, actor_kind, action, old_status, new_status) \
         select booking_id, $1, 'system', 'expire', 'held', 'expired' from e",
    )
    .bind(now)
    .execute(tx.conn())
    .await?;
    Ok(done.rows_affected())
}
