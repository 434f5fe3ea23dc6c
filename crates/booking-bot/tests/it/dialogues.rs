//! Dialogue states of two tenants never meet in a shared Redis, though Telegram gives a user
//! the same chat id with every bot.

use booking_bot::{customer::state::State, runtime::dialogue_storage::TenantDialogues};
use booking_core::ids::{ServiceId, TenantId};
use storage::kv::Kv;
use teloxide::{dispatching::dialogue::Storage, types::ChatId};

use crate::support::REDIS;

#[tokio::test]
async fn two_tenants_keep_separate_states_for_the_same_chat() {
    let kv = Kv::new(REDIS).unwrap();
    // Tenant ids no real test uses; the chat id is the same for both bots.
    let (a, b) = (TenantId(-7_001), TenantId(-7_002));
    let chat = ChatId(123_456);
    let first = TenantDialogues::new(kv.clone(), a);
    let second = TenantDialogues::new(kv.clone(), b);

    let state = State::ChoosingStaff {
        service: ServiceId(5),
    };
    Storage::<State>::update_dialogue(first.clone(), chat, state.clone())
        .await
        .unwrap();
    Storage::<State>::remove_dialogue(second.clone(), chat)
        .await
        .unwrap();
    assert_eq!(
        Storage::<State>::get_dialogue(first.clone(), chat)
            .await
            .unwrap(),
        Some(state)
    );
    assert_eq!(
        Storage::<State>::get_dialogue(second.clone(), chat)
            .await
            .unwrap(),
        None
    );
    assert!(
        kv.get(&storage::kv::TenantKey::new(a, "dlg", chat.0))
            .await
            .unwrap()
            .is_some()
    );
    Storage::<State>::remove_dialogue(first.clone(), chat)
        .await
        .unwrap();
    assert_eq!(
        Storage::<State>::get_dialogue(first, chat).await.unwrap(),
        None
    );
}

#[tokio::test]
async fn an_unreadable_state_is_dropped_and_the_customer_starts_over() {
    let kv = Kv::new(REDIS).unwrap();
    let tenant = TenantId(-7_003);
    let chat = ChatId(654_321);
    kv.set(
        &storage::kv::TenantKey::new(tenant, "dlg", chat.0),
        "{\"state\":\"from_a_future_version\"}",
        60,
    )
    .await
    .unwrap();
    let dialogues = TenantDialogues::new(kv, tenant);
    assert_eq!(
        Storage::<State>::get_dialogue(dialogues, chat)
            .await
            .unwrap(),
        None
    );
}
