//! Placement in the control schema: a tenant's wanted placement (override, plan, default),
//! assignments to shared hosts within their capacity even when many are chosen at once, and
//! the hosts holding a tenant's role.

use std::collections::BTreeMap;

use booking_core::ids::{BotHostId, TenantId};
use chrono::Utc;
use secrecy::SecretString;
use storage::control::{
    bot_hosts::{self, NewHost, SealedHostSecrets},
    placement::{self, Placement},
    plans::{self, NewPlan},
    subscriptions::{self, SubscriptionStatus},
    tenants,
};
use storage::host::{self, HostName};
use test_support::TestDb;

fn new_host(capacity: i32) -> impl FnOnce(i32) -> NewHost {
    move |_| NewHost {
        capacity,
        secrets: SealedHostSecrets {
            db_password: vec![1],
            secret: vec![2],
        },
    }
}

#[tokio::test]
async fn a_tenant_follows_its_plan_unless_an_operator_overrides_it() {
    let t = TestDb::new().await;
    let pool = t.db.pool();
    let (tenant, _) = t.tenant("Salon", chrono_tz::Europe::Moscow).await;
    let wanted = |p: Option<placement::TenantPlacement>| p.unwrap().wanted();
    // No plan, no override: dedicated, as before placement existed.
    assert_eq!(
        wanted(placement::of(pool, tenant.id).await.unwrap()),
        Placement::Dedicated
    );
    let plan = plans::insert_placed(
        pool,
        &NewPlan {
            code: "small".to_owned(),
            name: "Small".to_owned(),
            price_minor: 100,
            currency: "RUB".to_owned(),
            period_days: 30,
        },
        Placement::Shared,
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(plan.placement, Placement::Shared);
    subscriptions::start(
        pool,
        tenant.id,
        Some(plan.id),
        SubscriptionStatus::Active,
        Utc::now(),
    )
    .await
    .unwrap();
    assert_eq!(
        wanted(placement::of(pool, tenant.id).await.unwrap()),
        Placement::Shared
    );
    assert!(
        placement::set_override(pool, tenant.id, Some(Placement::Dedicated))
            .await
            .unwrap()
    );
    let record = tenants::get(pool, tenant.id).await.unwrap().unwrap();
    assert_eq!(record.placement, Some(Placement::Dedicated));
    assert_eq!(
        wanted(placement::of(pool, tenant.id).await.unwrap()),
        Placement::Dedicated
    );
    // Cleared, the plan rules again; the plan changed, its tenants follow.
    placement::set_override(pool, tenant.id, None)
        .await
        .unwrap();
    assert!(
        placement::set_for_plan(pool, plan.id, Placement::Dedicated)
            .await
            .unwrap()
    );
    assert_eq!(
        wanted(placement::of(pool, tenant.id).await.unwrap()),
        Placement::Dedicated
    );
    assert!(
        placement::of(pool, TenantId(999_999))
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        !placement::set_override(pool, TenantId(999_999), None)
            .await
            .unwrap()
    );
}

#[tokio::test]
async fn assignments_fill_hosts_to_capacity_even_when_chosen_at_once() {
    let t = TestDb::new().await;
    let mut ids = Vec::new();
    for i in 0..7 {
        ids.push(
            t.tenant(&format!("Salon {i}"), chrono_tz::Europe::Moscow)
                .await
                .0
                .id,
        );
    }
    // Seven tenants placed concurrently on hosts of capacity 3: three hosts, none over.
    let placed = futures::future::join_all(
        ids.iter()
            .map(|id| bot_hosts::assign(t.db.pool(), *id, new_host(3))),
    )
    .await;
    let mut per_host: BTreeMap<BotHostId, usize> = BTreeMap::new();
    for a in placed {
        *per_host.entry(a.unwrap().unwrap().host.id).or_default() += 1;
    }
    assert_eq!(per_host.len(), 3, "{per_host:?}");
    assert!(per_host.values().all(|n| *n <= 3), "{per_host:?}");
    let loads = bot_hosts::loads(t.db.pool()).await.unwrap();
    let names: Vec<&str> = loads.iter().map(|l| l.host.name.as_str()).collect();
    assert_eq!(names, ["shared1", "shared2", "shared3"]);

    // Placing a tenant again keeps it where it is; an unknown tenant is placed nowhere.
    let again = bot_hosts::assign(t.db.pool(), ids[0], new_host(3))
        .await
        .unwrap()
        .unwrap();
    assert!(!again.created && again.previous.is_none());
    assert_eq!(bot_hosts::loads(t.db.pool()).await.unwrap(), loads);
    assert!(
        bot_hosts::assign(t.db.pool(), TenantId(999_999), new_host(3))
            .await
            .unwrap()
            .is_none()
    );

    // A tenant taken off its host frees its place, and the host becomes idle when empty.
    let last = loads.iter().find(|l| l.assigned == 1).unwrap();
    let alone = bot_hosts::tenants_of(t.db.pool(), last.host.id)
        .await
        .unwrap();
    assert_eq!(alone.len(), 1);
    assert_eq!(
        bot_hosts::note_idle(t.db.pool(), last.host.id)
            .await
            .unwrap(),
        None,
        "a host with a tenant is not idle"
    );
    bot_hosts::unassign(t.db.pool(), alone[0]).await.unwrap();
    let since = bot_hosts::note_idle(t.db.pool(), last.host.id)
        .await
        .unwrap()
        .unwrap();
    // Noted once: a later pass keeps the first moment.
    assert_eq!(
        bot_hosts::note_idle(t.db.pool(), last.host.id)
            .await
            .unwrap(),
        Some(since)
    );
    assert!(bot_hosts::seconds_since(t.db.pool(), since).await.unwrap() >= 0);
    // The next tenant goes to the emptiest host, which is no longer idle.
    let back = bot_hosts::assign(t.db.pool(), alone[0], new_host(3))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(back.host.id, last.host.id);
    assert_eq!(
        bot_hosts::get(t.db.pool(), last.host.id)
            .await
            .unwrap()
            .unwrap()
            .idle_since,
        None
    );
}

#[tokio::test]
async fn the_hosts_holding_a_tenants_role_are_known_by_name() {
    let t = TestDb::new().await;
    let (a, _) = t.tenant("A", chrono_tz::Europe::Moscow).await;
    let password = SecretString::from("host-password".to_owned());
    let (h1, h2) = (
        HostName::parse("shared1").unwrap(),
        HostName::parse("shared2").unwrap(),
    );
    for h in [&h1, &h2] {
        host::ensure_role(&t.db, h, &password).await.unwrap();
    }
    assert!(host::holders(&t.db, a.id).await.unwrap().is_empty());
    host::grant(&t.db, &h2, a.id).await.unwrap();
    host::grant(&t.db, &h1, a.id).await.unwrap();
    assert_eq!(host::holders(&t.db, a.id).await.unwrap(), [h1.clone(), h2]);
    host::revoke(&t.db, &h1, a.id).await.unwrap();
    assert_eq!(host::holders(&t.db, a.id).await.unwrap().len(), 1);
}
