//! The whole sales conversation through tg-sandbox: a stranger's /start to a paid, provisioned
//! tenant whose owner is told the bot is live.

use storage::control::{
    orders::{self, OrderStatus},
    subscriptions::{self, SubscriptionStatus},
};
use test_support::eventually;

use crate::support::{Harness, yookassa_ip};

async fn latest_order(h: &Harness, buyer: i64) -> orders::Order {
    let id: uuid::Uuid = sqlx::query_scalar(
        "select order_id from control.orders where telegram_user_id = $1 \
         order by created_at desc limit 1",
    )
    .bind(buyer)
    .fetch_one(h.db.db.pool())
    .await
    .unwrap();
    h.reload(orders::OrderId(id)).await
}

#[tokio::test]
async fn a_stranger_buys_pays_and_is_told_the_bot_is_live() {
    let h = Harness::start().await;
    let buyer = h.buyer("Olga").await;
    buyer.say("/start").await;
    let menu = buyer.next().await;
    assert!(menu.text().contains("appointment bot"), "{}", menu.text());

    let plans = buyer.press(&menu, "Plans").await;
    assert!(
        plans.text().contains("Month: 1,990\u{a0}₽ for 30 days"),
        "{}",
        plans.text()
    );
    let ask_name = buyer.press(&plans, "Buy \"Month\"").await;
    assert!(
        ask_name.text().contains("business called"),
        "{}",
        ask_name.text()
    );
    buyer.say("Barber Bob").await;
    let ask_zone = buyer.next().await;
    assert!(ask_zone.text().contains("time zone"), "{}", ask_zone.text());
    buyer.say("Mars/Olympus").await;
    assert!(
        buyer
            .next()
            .await
            .text()
            .contains("do not know that time zone")
    );
    let ask_token = buyer.press(&ask_zone, "Москва").await;
    assert!(
        ask_token.text().contains("@BotFather"),
        "{}",
        ask_token.text()
    );

    // Not a token; a token of no bot: refused before anything is charged.
    buyer.say("my token is secret").await;
    assert!(
        buyer
            .next()
            .await
            .text()
            .contains("does not look like a bot token")
    );
    buyer
        .say("987654321:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawX")
        .await;
    assert!(
        buyer
            .next()
            .await
            .text()
            .contains("does not accept this token")
    );
    assert_eq!(h.count("select count(*) from control.orders").await, 0);
    assert!(h.fake.payments().is_empty());

    let their_bot = h.client.create_bot("barber_bob_bot").await.unwrap();
    buyer.say(their_bot.token.as_str()).await;
    let pay = buyer.next().await;
    // The token does not stay in the chat, and no message shows it.
    let chat = h
        .client
        .chat(&h.bot.token, buyer.chat.user.id)
        .await
        .unwrap();
    assert!(
        chat.iter().any(|m| m.text() == "Barber Bob"),
        "the buyer's answers are shown"
    );
    assert!(
        chat.iter()
            .all(|m| !m.text().contains(their_bot.token.as_str())),
        "{chat:?}"
    );
    assert!(pay.text().contains("@barber_bob_bot"), "{}", pay.text());
    let url = pay
        .button("Pay")
        .expect("a Pay button")
        .url
        .clone()
        .unwrap();
    assert!(url.contains("payment-confirm"), "{url}");
    let order = latest_order(&h, buyer.id()).await;
    assert_eq!(order.status, OrderStatus::Pending);
    assert_eq!(order.business_name, "Barber Bob");
    assert_eq!(order.time_zone.name(), "Europe/Moscow");
    let payment_id = order.payment_id.clone().unwrap();
    assert!(url.contains(&payment_id));

    // Not paid yet: "check payment" says so.
    let pending = buyer.press(&pay, "Check payment").await;
    assert!(
        pending.text().contains("has not arrived"),
        "{}",
        pending.text()
    );

    // The buyer pays on YooKassa's page; YooKassa notifies.
    h.fake.pay(&payment_id);
    assert_eq!(
        h.fake
            .notify(
                &h.webhook_url,
                "payment.succeeded",
                &payment_id,
                yookassa_ip()
            )
            .await,
        200
    );
    assert!(buyer.next().await.text().contains("Payment received"));
    let starting = buyer.next().await;
    assert!(starting.text().contains("starting"), "{}", starting.text());

    let order = h.reload(order.id).await;
    assert_eq!(order.status, OrderStatus::Paid);
    let tenant = order.tenant.unwrap();
    assert!(order.provisioned_at.is_some());
    let record = storage::control::tenants::get(h.db.db.pool(), tenant)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(record.owner_telegram_id.unwrap().get(), buyer.id());
    assert_eq!(record.name, "Barber Bob");
    assert_eq!(
        h.count("select count(*) from control.jobs where kind = 'reconcile_tenant'")
            .await,
        1
    );
    // "Check payment" after the fact: paid, and nothing twice.
    let again = buyer.press(&pay, "Check payment").await;
    assert!(
        again.text().contains("Payment received"),
        "{}",
        again.text()
    );
    assert_eq!(h.activations().await, (1, 1, 1, 1));

    // The deploy worker reports the bot up; the next pass tells the buyer its link.
    sqlx::query(
        "insert into control.deployments (tenant_id, action, status, finished_at) \
         values ($1, 'deploy', 'succeeded', now())",
    )
    .bind(tenant.get())
    .execute(h.db.db.pool())
    .await
    .unwrap();
    let report = sales_bot::reconcile::pass(&h.sales).await;
    assert_eq!(report.announced, 1, "{report:?}");
    let live = buyer.next().await;
    assert!(
        live.text().contains("https://t.me/barber_bob_bot"),
        "{}",
        live.text()
    );
    // The owner learns where their panel is and that it leads through the setup.
    assert!(
        live.text().contains("send /admin") && live.text().contains("steps left"),
        "{}",
        live.text()
    );
    assert_eq!(sales_bot::reconcile::pass(&h.sales).await.announced, 0);
}

#[tokio::test]
async fn a_free_trial_is_given_once_per_telegram_user() {
    let h = Harness::start().await;
    let buyer = h.buyer("Ivan").await;
    buyer.say("/start").await;
    let menu = buyer.next().await;
    let ask_name = buyer.press(&menu, "Free trial").await;
    assert!(ask_name.text().contains("business called"));
    buyer.say("Ivan's Nails").await;
    buyer.next().await;
    buyer.say("asia/yekaterinburg").await;
    let ask_token = buyer.next().await;
    assert!(
        ask_token.text().contains("@BotFather"),
        "{}",
        ask_token.text()
    );
    let their_bot = h.client.create_bot("ivans_nails_bot").await.unwrap();
    buyer.say(their_bot.token.as_str()).await;
    assert!(buyer.next().await.text().contains("7-day free trial"));
    assert!(buyer.next().await.text().contains("starting"));
    assert!(h.fake.payments().is_empty(), "a trial charges nothing");
    let order = latest_order(&h, buyer.id()).await;
    let tenant = order.tenant.unwrap();
    let mut conn = h.db.db.pool().acquire().await.unwrap();
    let sub = subscriptions::get(&mut conn, tenant)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(sub.status, SubscriptionStatus::Trial);
    eventually("the trial's deploy job", || async {
        h.count("select count(*) from control.jobs where kind = 'reconcile_tenant'")
            .await
            == 1
    })
    .await;

    // Again, from the same account: refused, plans offered instead.
    buyer.say("/start").await;
    let menu = buyer.next().await;
    let refused = buyer.press(&menu, "Free trial").await;
    assert!(
        refused.text().contains("had its free trial"),
        "{}",
        refused.text()
    );
    assert_eq!(h.count("select count(*) from control.tenants").await, 1);

    // Buying with the trial's own bot extends the trial's tenant instead of refusing the bot.
    let trial_end = sub.current_period_end;
    let ask_name = buyer.press(&refused, "Buy").await;
    assert!(ask_name.text().contains("business called"));
    buyer.say("Ivan's Nails").await;
    buyer.next().await;
    buyer.say("Asia/Yekaterinburg").await;
    buyer.next().await;
    buyer.say(their_bot.token.as_str()).await;
    let pay = buyer.next().await;
    assert!(pay.text().contains("@ivans_nails_bot"), "{}", pay.text());
    let renewal: uuid::Uuid =
        sqlx::query_scalar("select order_id from control.orders where kind = 'renewal'")
            .fetch_one(h.db.db.pool())
            .await
            .unwrap();
    let order = h.reload(orders::OrderId(renewal)).await;
    assert_eq!(order.kind, orders::OrderKind::Renewal);
    assert_eq!(order.tenant, Some(tenant));
    let payment_id = order.payment_id.unwrap();
    h.fake.pay(&payment_id);
    assert_eq!(
        h.fake
            .notify(
                &h.webhook_url,
                "payment.succeeded",
                &payment_id,
                yookassa_ip()
            )
            .await,
        200
    );
    let renewed = buyer.next().await;
    assert!(
        renewed.text().contains("renewed until"),
        "{}",
        renewed.text()
    );
    let sub = subscriptions::get(&mut conn, tenant)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(sub.status, SubscriptionStatus::Active);
    assert_eq!(
        sub.current_period_end,
        trial_end + chrono::Duration::days(30)
    );
    assert_eq!(h.count("select count(*) from control.tenants").await, 1);
}

#[tokio::test]
async fn a_bot_already_serving_a_tenant_is_refused_and_forged_buttons_do_nothing() {
    let h = Harness::start().await;
    // A paid order already owns this bot.
    let (_, payment) = h.ordered_and_created(5551, "taken_bot").await;
    h.fake.pay(&payment.id);
    sales_bot::reconcile::pass(&h.sales).await;
    let taken: String = sqlx::query_scalar("select bot_username from control.tenants")
        .fetch_one(h.db.db.pool())
        .await
        .unwrap();
    assert_eq!(taken, "taken_bot");
    let token = h
        .client
        .bots()
        .await
        .unwrap()
        .into_iter()
        .find(|b| b.username == "taken_bot")
        .unwrap()
        .token;

    let buyer = h.buyer("Mallory").await;
    buyer.say("/start").await;
    let menu = buyer.next().await;
    let plans = buyer.press(&menu, "Plans").await;
    buyer.press(&plans, "Buy").await;
    buyer.say("Copycat").await;
    buyer.next().await;
    buyer.say("Europe/Moscow").await;
    buyer.next().await;
    buyer.say(token.as_str()).await;
    let refused = buyer.next().await;
    assert!(
        refused.text().contains("already serves another business"),
        "{}",
        refused.text()
    );

    // Someone else's order, a plan that does not exist, garbage: nothing happens.
    let victim = latest_order(&h, 5551).await;
    let forged = buyer
        .forged_buttons(&[
            format!("v1:p:{}", victim.id.0.simple()),
            "v1:b:999999".to_owned(),
            "v1:zz".to_owned(),
        ])
        .await;
    buyer.press_data(&forged, &forged.buttons()[0].1).await;
    assert!(buyer.next().await.text().contains("not your order"));
    buyer.press_data(&forged, &forged.buttons()[1].1).await;
    assert!(buyer.next().await.text().contains("out of date"));
    buyer.press_data(&forged, &forged.buttons()[2].1).await;
    assert!(buyer.next().await.text().contains("out of date"));
    assert_eq!(h.count("select count(*) from control.orders").await, 1);
}

/// A token the Bot API rejects stops the whole service (webhook endpoint and passes too) with
/// the typed error naming `BOT_TOKEN`, never the token, so the process exits non-zero saying
/// why; retrying could not help.
#[tokio::test]
async fn a_rejected_token_stops_the_service_naming_bot_token() {
    let h = Harness::start_with(|config| {
        config.bot_token = secrecy::SecretString::from("424242:never-registered");
    })
    .await;
    let failed = h.ended().await.unwrap_err();
    let rejected = failed
        .downcast_ref::<bot_kit::TokenRejected>()
        .expect("the typed error");
    assert_eq!(rejected.0, sales_bot::bot::TOKEN_SOURCE);
    assert_eq!(
        failed.to_string(),
        "BOT_TOKEN was rejected by the Bot API (Unauthorized): check the token from BotFather"
    );
}

/// The free trial is of the cheapest plan on sale. With none on sale it used to ask for the
/// name, the zone and the token and then answer "This button is out of date" (the stock
/// `up.sh` had no plans): now a plan retired mid-way is named as the reason, and with no plan
/// the menu says so before the first question.
#[tokio::test]
async fn a_trial_with_no_plan_on_sale_says_so_instead_of_out_of_date() {
    let h = Harness::start().await;
    let buyer = h.buyer("Nina").await;
    buyer.say("/start").await;
    let menu = buyer.next().await;
    let ask_name = buyer.press(&menu, "Free trial").await;
    assert!(ask_name.text().contains("business called"));
    buyer.say("Nina's Brows").await;
    buyer.next().await;
    buyer.say("Europe/Moscow").await;
    assert!(buyer.next().await.text().contains("@BotFather"));

    // The operator retires the only plan while the buyer makes their bot.
    sqlx::query("update control.plans set active = false")
        .execute(h.db.db.pool())
        .await
        .unwrap();
    let their_bot = h.client.create_bot("ninas_brows_bot").await.unwrap();
    buyer.say(their_bot.token.as_str()).await;
    let refused = buyer.next().await;
    assert!(
        refused.text().contains("free trial is not available"),
        "{}",
        refused.text()
    );
    assert!(
        !refused.text().contains("out of date"),
        "{}",
        refused.text()
    );

    // From the menu now: told at once, no question asked.
    buyer.say("/start").await;
    let menu = buyer.next().await;
    let at_once = buyer.press(&menu, "Free trial").await;
    assert!(
        at_once.text().contains("free trial is not available"),
        "{}",
        at_once.text()
    );
    assert!(at_once.button("Back").is_some(), "a way back to the menu");
    assert_eq!(h.count("select count(*) from control.orders").await, 0);
    assert_eq!(h.count("select count(*) from control.trials").await, 0);
}

/// The button of the owner's renewal warning opens this bot with `/start renew_<tenant>`: the
/// owner goes straight to paying the renewal of their bot; anyone else who got the link is
/// told it is not theirs, and nothing is ordered for them.
#[tokio::test]
async fn the_renewal_link_opens_the_owners_renewal_order_and_nobody_elses() {
    let h = Harness::start().await;
    let owner = h.buyer("Olga").await;
    owner.say("/start").await;
    owner.next().await;
    let (_, payment) = h.ordered_and_created(owner.id(), "olga_salon_bot").await;
    h.fake.pay(&payment.id);
    sales_bot::reconcile::pass(&h.sales).await;
    eventually("the paid order's tenant, owned, with its subscription", || async {
        h.count(
            "select count(*) from control.tenants t join control.subscriptions s \
             using (tenant_id) where t.owner_telegram_id is not null and t.bot_username is not null",
        )
        .await
            == 1
    })
    .await;
    let tenant: i64 = sqlx::query_scalar("select tenant_id from control.tenants")
        .fetch_one(h.db.db.pool())
        .await
        .unwrap();

    // The purchase saved the card: a renewal by hand is still paid on YooKassa's page, where
    // the owner sees the amount (and may use another card), not charged to it at once.
    assert_eq!(
        h.count("select count(*) from control.subscriptions where payment_method_id is not null")
            .await,
        1
    );

    let stranger = h.buyer("Mallory").await;
    stranger.say(&format!("/start renew_{tenant}")).await;
    let refused = stranger.next().await;
    assert!(
        refused.text().contains("Only the bot's owner"),
        "{}",
        refused.text()
    );
    let orders = h.count("select count(*) from control.orders").await;

    owner.say(&format!("/start renew_{tenant}")).await;
    // Past the purchase's own messages ("payment received", ...) to the renewal's.
    let pay = loop {
        let m = owner.next().await;
        if m.button("Pay").is_some() {
            break m;
        }
    };
    assert!(pay.text().contains("@olga_salon_bot"), "{}", pay.text());
    let url = pay
        .button("Pay")
        .expect("a Pay button")
        .url
        .clone()
        .unwrap();
    assert!(url.contains("payment-confirm"), "{url}");
    assert_eq!(
        h.count("select count(*) from control.orders").await,
        orders + 1
    );
    // The harness's clock stands still, so "the latest order" by creation time is a tie with
    // the purchase: the renewal is found by its kind.
    let renewal: uuid::Uuid = sqlx::query_scalar(
        "select order_id from control.orders where kind = 'renewal' and telegram_user_id = $1",
    )
    .bind(owner.id())
    .fetch_one(h.db.db.pool())
    .await
    .unwrap();
    let order = h.reload(orders::OrderId(renewal)).await;
    assert_eq!(order.kind, orders::OrderKind::Renewal);
    assert_eq!(order.tenant.map(|t| t.get()), Some(tenant));
    assert_eq!(order.charge_method, None);
    assert!(
        url.contains(order.payment_id.as_deref().expect("a payment")),
        "{url}"
    );
}

/// Plans are offered shortest first, whatever order operators put them on sale in, and one
/// taken off sale (`PATCH /plans/{id}`, `plans::update`) is not offered at all.
#[tokio::test]
async fn plans_are_offered_shortest_first_and_retired_ones_not_at_all() {
    use storage::control::plans::{self, NewPlan, PlanChanges};
    let h = Harness::start().await;
    let pool = h.db.db.pool();
    let put_on_sale = async |code: &str, price_minor, period_days| {
        let new = NewPlan {
            code: code.into(),
            name: code.to_uppercase(),
            price_minor,
            currency: "RUB".into(),
            period_days,
        };
        plans::insert(pool, &new).await.unwrap().unwrap()
    };
    // After the harness's "Month": ids in another order than their periods.
    put_on_sale("year", 1_990_000, 365).await;
    put_on_sale("week", 59_000, 7).await;
    let retired = put_on_sale("fortnight", 99_000, 14).await;
    let off = PlanChanges {
        active: Some(false),
        ..PlanChanges::default()
    };
    plans::update(pool, retired.id, &off)
        .await
        .unwrap()
        .unwrap();
    let buyer = h.buyer("Vera").await;
    buyer.say("/start").await;
    let menu = buyer.next().await;
    let text = buyer.press(&menu, "Plans").await.text().to_owned();
    let at = |name: &str| text.find(name).expect(&text);
    assert!(
        at("WEEK:") < at("Month:") && at("Month:") < at("YEAR:"),
        "shortest first: {text}"
    );
    assert!(!text.contains("FORTNIGHT"), "off sale: {text}");
}
