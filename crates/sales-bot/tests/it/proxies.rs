//! Notifications that come through our own proxies: who really sent them.

use serde_json::json;
use storage::control::orders::OrderStatus;

use crate::support::Harness;

/// Several `X-Forwarded-For` lines are one list: our proxy's own line (the last) names the
/// sender, whatever the sender's line (the first) claims.
#[tokio::test]
async fn every_forwarded_for_line_is_read_and_the_last_untrusted_address_is_the_sender() {
    let h = Harness::start_with(|c| {
        c.yookassa_allowed_ips = "185.71.76.0/27".into();
        c.trusted_proxies = "127.0.0.1, 10.0.0.0/8".into();
    })
    .await;
    let (order, payment) = h.ordered_and_created(2013, "two_lines_bot").await;
    h.fake.pay(&payment.id);
    let body = json!({"type": "notification", "event": "payment.succeeded",
                      "object": {"id": payment.id}});
    let send = |lines: &[&str]| {
        let mut request = reqwest::Client::new().post(&h.webhook_url).json(&body);
        for line in lines {
            // `header` appends: each call is a header line of its own.
            request = request.header("X-Forwarded-For", *line);
        }
        async move { request.send().await.unwrap().status().as_u16() }
    };
    // A stranger wrote YooKassa's address in the first line; our proxy added the stranger's.
    assert_eq!(send(&["185.71.76.5", "6.6.6.6"]).await, 403);
    assert_eq!(send(&["185.71.76.5", "6.6.6.6, 10.0.0.7"]).await, 403);
    assert_eq!(h.reload(order.id).await.status, OrderStatus::Pending);
    // YooKassa behind two of our proxies, each with its own line.
    assert_eq!(send(&["6.6.6.6", "185.71.76.5", "10.0.0.7"]).await, 200);
    assert_eq!(h.reload(order.id).await.status, OrderStatus::Paid);
}
