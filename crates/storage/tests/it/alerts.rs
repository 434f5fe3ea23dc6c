use chrono::Duration;
use storage::control::alerts::{self, AlertKind, NewAlert};
use test_support::TestDb;

use crate::monday_morning;

fn failed(n: u32) -> NewAlert {
    NewAlert {
        kind: AlertKind::DeploymentFailed,
        tenant: None,
        message: format!("deployment {n} failed"),
        dedupe_key: Some(format!("deployment_failed:{n}")),
    }
}

#[tokio::test]
async fn an_alert_is_raised_once_and_delivered_once() {
    let t = TestDb::new().await;
    let pool = t.db.pool();
    let now = monday_morning();
    assert!(alerts::raise(pool, &failed(1)).await.unwrap());
    assert!(
        !alerts::raise(pool, &failed(1)).await.unwrap(),
        "same key twice"
    );
    assert!(alerts::raise(pool, &failed(2)).await.unwrap());

    let lease = Duration::seconds(30);
    let claimed = alerts::claim(pool, now, lease, 10).await.unwrap();
    let messages: Vec<_> = claimed.iter().map(|a| a.message.as_str()).collect();
    assert_eq!(messages, ["deployment 1 failed", "deployment 2 failed"]);
    // Under the lease nobody else takes them.
    assert!(
        alerts::claim(pool, now, lease, 10)
            .await
            .unwrap()
            .is_empty()
    );

    alerts::mark_sent(pool, claimed[0].id, now).await.unwrap();
    alerts::mark_failed(pool, claimed[1].id, "Bot API down")
        .await
        .unwrap();
    // After the lease only the undelivered one comes back.
    let again = alerts::claim(pool, now + Duration::seconds(31), lease, 10)
        .await
        .unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!((again[0].id, again[0].attempts), (claimed[1].id, 2));
}
