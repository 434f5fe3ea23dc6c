//! With REDIS_ACL=on a tenant the sales bot sells gets its own Redis user, also when Redis
//! failed the first time the order was provisioned.

use secrecy::SecretString;
use storage::redis_acl::{RedisAcl, RedisUser};
use test_support::{RedisUsers, redis_url};

use crate::support::Harness;

#[tokio::test]
async fn a_sold_tenant_gets_its_redis_user_even_after_a_redis_failure() {
    let h = Harness::start().await;
    let _users = RedisUsers::with_prefix(&h.db.name);
    let (order, payment) = h.ordered_and_created(3201, "redis_user_bot").await;
    h.fake.pay(&payment.id);
    // Paid: settled by hand, so the running bot's own follow-up (without ACLs) stays out.
    let settled = sales_bot::settle::settle(&h.sales, &payment.id)
        .await
        .unwrap();
    assert!(matches!(settled, sales_bot::settle::Settled::Activated(_)));
    let order = h.reload(order.id).await;
    let tenant = order.tenant.unwrap();

    // Redis refuses the admin connection: the schema is made, the user is not, the order waits.
    let mut sales = h.sales.clone();
    sales.redis_acl = Some(RedisAcl::new(&SecretString::from("redis://127.0.0.1:9")).unwrap());
    assert!(
        sales_bot::follow_up::provision_order(&sales, &order)
            .await
            .is_err()
    );
    assert!(h.reload(order.id).await.provisioned_at.is_none());

    let acl = RedisAcl::new(&SecretString::from(redis_url())).unwrap();
    sales.redis_acl = Some(acl.clone());
    sales_bot::follow_up::provision_order(&sales, &order)
        .await
        .unwrap();
    assert!(h.reload(order.id).await.provisioned_at.is_some());
    let user = RedisUser::tenant(&h.db.db, tenant).to_string();
    assert!(acl.user_names().await.unwrap().contains(&user));
}
