//! The supervisor's promises: a bounded stop in every state, recovery when the Bot API comes
//! back, and a typed end for a rejected token.

use std::time::{Duration, Instant};

use futures::future::join_all;
use tg_sandbox::{BotToken, Chat, NewUser};
use tokio::net::TcpListener;

use crate::support::{Relay, Running, TOKEN_SOURCE, black_hole, bot, sandbox};

/// The bound a stop must keep: container engines kill about 10 s after SIGTERM.
const BOUND: Duration = Duration::from_secs(5);

/// One bot, connected and answering, whose Bot API then goes away; the stop comes
/// `delay` later. Returns how long the supervisor took to return after the stop.
async fn stop_after_outage(n: u64, hangs: bool, delay: Duration) -> Duration {
    let sandbox = sandbox().await;
    let client = sandbox.client();
    let addr = sandbox.addr();
    let info = client.create_bot(&format!("stop_{n}_bot")).await.unwrap();
    let alice = client
        .create_user(NewUser::named("Alice").language("en"))
        .await
        .unwrap();
    let running = Running::start(bot(&client, &info.token));
    // Connected and polling: a message is answered.
    let echo = Chat::new(&client, &info.token, &alice).ask("hello").await;
    assert_eq!(echo.text(), "echo: hello");
    // Mid-poll, the Bot API goes: refusing connections, or (in its place) accepting them and
    // never answering.
    sandbox.shutdown().await.unwrap();
    let hole = if hangs {
        Some(black_hole(addr).await)
    } else {
        None
    };
    tokio::time::sleep(delay).await;
    let asked = Instant::now();
    running.stop.trigger();
    let ended = running.ended_within(Duration::from_secs(60)).await;
    let took = asked.elapsed();
    assert!(
        matches!(ended, Some(Ok(()))),
        "stop {n}: ended {ended:?} after {took:?}"
    );
    if let Some(hole) = hole {
        hole.abort();
    }
    took
}

/// 20 stops, each landing in another state: in getUpdates as the Bot API vanished, in
/// teloxide's wait before it polls again, in the supervisor's getMe backoff, with the Bot API
/// refusing or hanging. Each returns within 5 s.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_stops_with_the_bot_api_taken_down_mid_poll_each_return_within_5_s() {
    let stops = (0..20u64).map(|n| {
        let delay = Duration::from_millis(170 * n);
        stop_after_outage(n, n % 2 == 1, delay)
    });
    let took = join_all(stops).await;
    for (n, one) in took.iter().enumerate() {
        assert!(*one <= BOUND, "stop {n} took {one:?}; all: {took:?}");
    }
}

/// A bot that never reached its Bot API (it hangs) stops at once.
#[tokio::test]
async fn a_bot_that_never_reached_the_bot_api_stops_at_once() {
    let free = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = free.local_addr().unwrap();
    drop(free);
    let hole = black_hole(addr).await;
    let client = tg_sandbox::SandboxClient::new(&format!("http://{addr}/")).unwrap();
    let running = Running::start(bot(&client, &BotToken::new("1234:hangs")));
    tokio::time::sleep(Duration::from_secs(1)).await;
    let asked = Instant::now();
    running.stop.trigger();
    let ended = running.ended_within(BOUND).await;
    assert!(matches!(ended, Some(Ok(()))), "{ended:?}");
    assert!(
        asked.elapsed() < Duration::from_secs(1),
        "{:?}",
        asked.elapsed()
    );
    hole.abort();
}

/// A bot started while its Bot API is unreachable connects once it is reachable; a bot whose
/// Bot API goes away and comes back answers again.
#[tokio::test]
async fn the_bot_rides_out_bot_api_outages() {
    let sandbox = sandbox().await;
    let client = sandbox.client();
    let info = client.create_bot("outages_bot").await.unwrap();
    let mut relay = Relay::to(sandbox.addr()).await;
    relay.cut();
    let api = tg_sandbox::SandboxClient::new(&relay.url()).unwrap();
    let running = Running::start(bot(&api, &info.token));
    let alice = client
        .create_user(NewUser::named("Alice").language("en"))
        .await
        .unwrap();
    let chat = Chat::new(&client, &info.token, &alice);
    for round in 0..2 {
        // Unreachable for a while: getMe, or getUpdates, fails and is retried.
        tokio::time::sleep(Duration::from_millis(800)).await;
        relay.restore().await;
        let echo = chat.ask(&format!("round {round}")).await;
        assert_eq!(echo.text(), format!("echo: round {round}"));
        relay.cut();
    }
    running.stop.trigger();
    assert!(matches!(running.ended_within(BOUND).await, Some(Ok(()))));
}

/// A token the Bot API does not know ends the supervisor with the typed error, naming the
/// variable the token came from and never the token.
#[tokio::test]
async fn a_rejected_token_ends_the_supervisor_naming_its_variable() {
    let sandbox = sandbox().await;
    let client = sandbox.client();
    let running = Running::start(bot(&client, &BotToken::new("424242:never-registered")));
    let ended = running.ended_within(Duration::from_secs(10)).await;
    let Some(Err(rejected)) = ended else {
        panic!("expected the token to be rejected, got {ended:?}");
    };
    assert_eq!(rejected.0, TOKEN_SOURCE);
    let said = rejected.to_string();
    assert_eq!(
        said,
        "DEMO_BOT_TOKEN was rejected by the Bot API (Unauthorized): check the token from BotFather"
    );
    assert!(!said.contains("never-registered"));
}
