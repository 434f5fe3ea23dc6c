//! Prepayment set up in the panel (issue 19): the owner connects payments (the provider token
//! typed, its message deleted, only «set ✅» shown; YooKassa's shop; the VAT code) and chooses
//! a service's deposit, time to pay and refunds; a service cannot ask for money before the
//! token is there; every press is checked on the server.

use booking_core::payment::{Deposit, PaymentTerms, Prepayment, RefundPolicy};
use secrecy::ExposeSecret as _;
use storage::{
    crypto::tenant_secrets::{TenantSealedAt, TenantSecretsKey},
    tenant::{admins::AdminRole, catalogue},
};
use tg_sandbox::TestUser;

use crate::{
    admin_support::{admin, admin_speaking, audit, is_refusal, panel, say},
    support::TestBot,
};

const TOKEN: &str = "381764678:TEST:100500";

async fn haircut_terms(bot: &TestBot) -> PaymentTerms {
    let mut tx = bot.db.tx(bot.tenant_id()).await;
    let s = catalogue::service(&mut tx, bot.salon.haircut)
        .await
        .unwrap()
        .unwrap();
    tx.commit().await.unwrap();
    s.payment
}

/// Everything `user` typed that is still in the chat.
async fn typed(bot: &TestBot, user: &TestUser) -> Vec<String> {
    bot.chat(user)
        .history()
        .await
        .into_iter()
        .filter(|m| !m.is_from_bot())
        .filter_map(|m| m.text)
        .collect()
}

fn key(bot: &TestBot) -> TenantSecretsKey {
    TenantSecretsKey::parse(bot.config.tenant_secrets_key.as_ref().unwrap()).unwrap()
}

#[tokio::test]
async fn the_owner_connects_payments_and_asks_a_deposit_for_a_service() {
    let bot = TestBot::start().await;
    // Two owners, so that neither taps faster than the per-person rate limit allows.
    let olga = admin(&bot, "Olga", AdminRole::Owner).await;
    let petr = admin(&bot, "Petr", AdminRole::Owner).await;

    // No token yet: the card says there is no prepayment, and asking for one is refused with
    // the way to connect payments; nothing changes.
    let menu = panel(&bot, &olga).await;
    let (_, services) = bot.press(&olga, &menu, "Services & staff").await;
    let (_, card) = bot.press(&olga, &services, "Haircut").await;
    assert!(card.text().contains("Prepayment: none"), "{}", card.text());
    let (_, terms) = bot.press(&olga, &card, "Prepayment").await;
    assert!(
        terms.text().contains("At booking the customer pays: none"),
        "{}",
        terms.text()
    );
    let (refused, _) = bot.press(&olga, &terms, "Deposit 30").await;
    let why = refused.text.unwrap_or_default();
    assert!(
        why.contains("cannot take payments yet") && why.contains("Taking payments"),
        "{why}"
    );
    assert_eq!(haircut_terms(&bot).await, PaymentTerms::default());

    // Taking payments: a wrong token is refused, a right one saved; both messages are gone.
    let menu = panel(&bot, &petr).await;
    let (_, setup) = bot.press(&petr, &menu, "Setup").await;
    let (_, account) = bot.press(&petr, &setup, "Taking payments").await;
    assert!(
        account.text().contains("Payment token: not set"),
        "{}",
        account.text()
    );
    let (_, ask) = bot.press(&petr, &account, "Set the token").await;
    assert!(ask.text().contains("@BotFather"), "{}", ask.text());
    let wrong = say(&bot, &petr, "my token is 381764678").await;
    assert!(
        wrong.text().contains("That is not a payment token"),
        "{}",
        wrong.text()
    );
    let saved = say(&bot, &petr, TOKEN).await;
    assert!(
        saved.text().contains("The token is saved"),
        "{}",
        saved.text()
    );
    let account = bot.next(&petr).await;
    assert!(
        account.text().contains("Payment token: set ✅"),
        "{}",
        account.text()
    );
    assert!(!account.text().contains("100500"), "{}", account.text());
    let left = typed(&bot, &petr).await;
    assert!(
        left.iter()
            .all(|t| !t.contains("381764678") && !t.contains("100500")),
        "{left:?}"
    );

    // YooKassa's shop and the VAT code.
    let (_, _ask) = bot.press(&petr, &account, "YooKassa shop").await;
    let bad = say(&bot, &petr, "506751").await;
    assert!(bad.text().contains("shop id"), "{}", bad.text());
    let _saved = say(&bot, &petr, "506751 test_SecretKey-1").await;
    let account = bot.next(&petr).await;
    assert!(account.text().contains("506751 ✅"), "{}", account.text());
    assert!(!account.text().contains("SecretKey"), "{}", account.text());
    assert!(
        typed(&bot, &petr)
            .await
            .iter()
            .all(|t| !t.contains("SecretKey")),
        "the shop's key is left in the chat"
    );
    let (_, vat) = bot.press(&petr, &account, "VAT in receipts").await;
    let (_, account) = bot.press(&petr, &vat, "No VAT").await;
    assert!(
        account.text().contains("VAT in receipts: No VAT"),
        "{}",
        account.text()
    );

    let mut tx = bot.db.tx(bot.tenant_id()).await;
    let (token, shop_id, secret, vat_code): (Vec<u8>, String, Vec<u8>, i16) = sqlx::query_as(
        "select provider_token_enc, shop_id, shop_secret_enc, vat_code from payment_settings",
    )
    .fetch_one(tx.conn())
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        key(&bot)
            .open(&token, TenantSealedAt::ProviderToken)
            .unwrap()
            .expose_secret(),
        TOKEN
    );
    assert_eq!(
        key(&bot)
            .open(&secret, TenantSealedAt::ShopSecret)
            .unwrap()
            .expose_secret(),
        "test_SecretKey-1"
    );
    assert_eq!((shop_id.as_str(), vat_code), ("506751", 1));

    // Now the deposit, the time to pay and the refund policy.
    let menu = panel(&bot, &olga).await;
    let (_, services) = bot.press(&olga, &menu, "Services & staff").await;
    let (_, card) = bot.press(&olga, &services, "Haircut").await;
    let (_, terms) = bot.press(&olga, &card, "Prepayment").await;
    let (saved, terms) = bot.press(&olga, &terms, "Deposit 30").await;
    assert_eq!(saved.text.as_deref(), Some("Saved."), "{}", terms.text());
    assert!(
        terms.text().contains("a deposit of 30 % (450"),
        "{}",
        terms.text()
    );
    assert!(
        terms.text().contains("Time to pay: 15 minutes"),
        "{}",
        terms.text()
    );
    let (_, terms) = bot.press(&olga, &terms, "⏱ 30 minutes").await;
    let (_, terms) = bot.press(&olga, &terms, "Keep half").await;
    assert!(terms.text().contains("you keep 50 %"), "{}", terms.text());
    assert_eq!(
        haircut_terms(&bot).await,
        PaymentTerms {
            prepayment: Prepayment::Deposit(Deposit::Percent(30)),
            timeout_min: 30,
            refund: RefundPolicy::Cutoff { keep_percent: 50 },
        }
    );

    // A fixed sum: more than the price is refused and changes nothing.
    let (_, _ask) = bot.press(&olga, &terms, "Deposit as a sum").await;
    let too_much = say(&bot, &olga, "5000").await;
    assert!(
        too_much.text().contains("more than the price"),
        "{}",
        too_much.text()
    );
    let saved = say(&bot, &olga, "500").await;
    assert_eq!(saved.text(), "Saved.");
    let terms = bot.next(&olga).await;
    assert!(
        terms.text().contains("a deposit of 500"),
        "{}",
        terms.text()
    );
    let (_, terms) = bot.press(&olga, &terms, "I decide each time").await;
    assert_eq!(
        haircut_terms(&bot).await,
        PaymentTerms {
            prepayment: Prepayment::Deposit(Deposit::Fixed(50_000)),
            timeout_min: 30,
            refund: RefundPolicy::Owner,
        }
    );
    assert!(terms.text().contains("You decide"), "{}", terms.text());

    // The token cannot go while a service asks for money.
    let menu = panel(&bot, &petr).await;
    let (_, setup) = bot.press(&petr, &menu, "Setup").await;
    let (_, account) = bot.press(&petr, &setup, "Taking payments").await;
    let (kept, _) = bot.press(&petr, &account, "Remove the token").await;
    assert!(
        kept.text.unwrap_or_default().contains("Haircut"),
        "the removal was not refused"
    );

    let actions: Vec<String> = audit(&bot).await.into_iter().map(|a| a.1).collect();
    for action in [
        "payment.token",
        "payment.shop",
        "payment.vat",
        "service.payment",
    ] {
        assert!(actions.iter().any(|a| a == action), "{action}: {actions:?}");
    }
    let mut tx = bot.db.tx(bot.tenant_id()).await;
    let details: Vec<serde_json::Value> =
        sqlx::query_scalar("select details from audit_log where action like 'payment.%'")
            .fetch_all(tx.conn())
            .await
            .unwrap();
    tx.commit().await.unwrap();
    for d in &details {
        let d = d.to_string();
        assert!(!d.contains("100500") && !d.contains("SecretKey"), "{d}");
    }
}

/// An admin sees no «Taking payments» and is refused it; a staff member may not set a
/// service's prepayment; forged or out-of-range choices change nothing. A Russian owner reads
/// it all in Russian.
#[tokio::test]
async fn payments_are_the_owners_and_every_press_is_checked() {
    let bot = TestBot::start().await;
    let ivan = admin(&bot, "Ivan", AdminRole::Admin).await;
    let menu = panel(&bot, &ivan).await;
    let (_, setup) = bot.press(&ivan, &menu, "Setup").await;
    assert!(
        setup.button("Taking payments").is_none(),
        "{:?}",
        setup.buttons()
    );
    let forged = bot
        .forged_buttons(
            &ivan,
            &[
                "a1:pa".to_owned(),
                "a1:pV:1".to_owned(),
                format!("a1:sP:{}:p0", bot.salon.haircut),
                format!("a1:sP:{}:t4", bot.salon.haircut),
            ],
        )
        .await;
    for data in ["a1:pa", "a1:pV:1"] {
        let (answer, _) = bot.press_data(&ivan, &forged, data).await;
        assert!(is_refusal(&answer), "{data}: {answer:?}");
    }
    for data in [
        format!("a1:sP:{}:p0", bot.salon.haircut),
        format!("a1:sP:{}:t4", bot.salon.haircut),
    ] {
        let (answer, _) = bot.press_data(&ivan, &forged, &data).await;
        assert!(
            answer
                .text
                .as_deref()
                .unwrap_or_default()
                .contains("open /admin again"),
            "{data}: {answer:?}"
        );
    }

    let anna = admin(&bot, "Anna", AdminRole::Staff(bot.salon.anna.id)).await;
    bot.command(&anna, "/admin").await;
    let _schedule = bot.next(&anna).await;
    let forged = bot
        .forged_buttons(&anna, &[format!("a1:sP:{}:f", bot.salon.haircut)])
        .await;
    let (answer, _) = bot
        .press_data(&anna, &forged, &format!("a1:sP:{}:f", bot.salon.haircut))
        .await;
    assert!(is_refusal(&answer), "{answer:?}");
    assert_eq!(haircut_terms(&bot).await, PaymentTerms::default());

    let olga = admin_speaking(&bot, "Ольга", AdminRole::Owner, "ru").await;
    bot.command(&olga, "/admin").await;
    let menu = bot.next(&olga).await;
    let (_, setup) = bot.press(&olga, &menu, "Настройка").await;
    let (_, account) = bot.press(&olga, &setup, "Приём оплаты").await;
    assert!(
        account.text().contains("Токен для оплаты: не задан")
            && account.text().contains("@BotFather"),
        "{}",
        account.text()
    );
    let (_, services) = bot.press(&olga, &account, "Услуги").await;
    let (_, card) = bot.press(&olga, &services, "Haircut").await;
    assert!(
        card.text().contains("Предоплата: без предоплаты"),
        "{}",
        card.text()
    );
    let (_, terms) = bot.press(&olga, &card, "Предоплата").await;
    let (refused, _) = bot.press(&olga, &terms, "Вся стоимость").await;
    assert!(
        refused
            .text
            .unwrap_or_default()
            .contains("Бот пока не принимает оплату"),
        "no refusal in Russian"
    );
}
