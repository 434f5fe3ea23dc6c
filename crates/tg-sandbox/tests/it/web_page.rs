//! The web chat page in headless Chromium: it opens a chat, presses an inline button that reaches
//! a real teloxide bot, and the screenshot is kept as `artifacts/tg-sandbox-web.png`.

use std::{path::PathBuf, process::Stdio, time::Duration};

use tg_sandbox::NewUser;

use crate::{
    demo_bot,
    support::{WAIT, start, teloxide_bot},
};

pub fn chromium() -> PathBuf {
    for name in ["chromium", "chromium-browser", "google-chrome"] {
        if let Ok(path) = which(name) {
            return path;
        }
    }
    panic!("headless Chromium is needed for the web page test: run `apt-get install -y chromium`");
}

fn which(name: &str) -> Result<PathBuf, ()> {
    let path = std::env::var_os("PATH").ok_or(())?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
        .ok_or(())
}

/// Runs headless Chromium on `url` with `extra` arguments and returns its stdout.
pub async fn run_chromium(url: &str, extra: &[String]) -> String {
    let profile = std::env::temp_dir().join(format!(
        "tg-sandbox-chromium-{}-{}",
        std::process::id(),
        rand_suffix()
    ));
    let mut cmd = tokio::process::Command::new(chromium());
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--hide-scrollbars",
        "--window-size=900,720",
        "--virtual-time-budget=20000",
    ])
    .arg(format!("--user-data-dir={}", profile.display()))
    .args(extra)
    .arg(url)
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .kill_on_drop(true);
    let output = tokio::time::timeout(Duration::from_secs(90), cmd.output())
        .await
        .expect("chromium did not finish within 90 s")
        .expect("chromium could not be started");
    let _ = std::fs::remove_dir_all(&profile);
    assert!(
        output.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn rand_suffix() -> u64 {
    use std::time::{SystemTime, UNIX_EPOCH};
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0)
}

#[tokio::test]
async fn the_web_page_presses_a_button_that_reaches_the_bot() {
    let browser = chromium();
    let (sandbox, client) = start().await;
    let info = client.create_bot("web_demo_bot").await.unwrap();
    let _stop = demo_bot::spawn_polling(teloxide_bot(&client, &info));
    let alice = client
        .create_user(NewUser::named("Alice").language("en"))
        .await
        .unwrap();
    client
        .send_command(&info.token, alice.id, "/start")
        .await
        .unwrap();
    let prompt = client
        .next_bot_message(&info.token, alice.id, WAIT)
        .await
        .unwrap();
    assert_eq!(prompt.text(), demo_bot::PROMPT);

    let artifacts = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../artifacts");
    std::fs::create_dir_all(&artifacts).unwrap();
    let screenshot = artifacts.join("tg-sandbox-web.png");
    let _ = std::fs::remove_file(&screenshot);
    let page = sandbox
        .url()
        .join(&format!(
            "/?bot={}&user={}&press=11:00&until=Booked&live=0",
            info.username, alice.id
        ))
        .unwrap();
    println!("using {}", browser.display());
    run_chromium(
        page.as_str(),
        &[format!("--screenshot={}", screenshot.display())],
    )
    .await;

    // The press went through the page, the sandbox and the bot.
    let answers = client
        .callback_answers(&info.token, alice.id)
        .await
        .unwrap();
    assert_eq!(answers.len(), 1, "the page did not press the button");
    assert_eq!(answers[0].data, "slot:11");
    client
        .wait_until(&info.token, alice.chat_id(), WAIT, |v| {
            v.messages.iter().any(|m| m.text() == "Booked slot:11")
        })
        .await
        .unwrap();
    let png = std::fs::read(&screenshot).expect("no screenshot");
    assert!(png.starts_with(b"\x89PNG"), "the screenshot is not a PNG");

    // The page shows the chat as it stands now.
    let dom = run_chromium(
        page.join(&format!(
            "/?bot={}&user={}&send=Thanks!&until=Thanks&live=0",
            info.username, alice.id
        ))
        .unwrap()
        .as_str(),
        &["--dump-dom".to_owned()],
    )
    .await;
    assert!(
        dom.contains("Booked slot:11"),
        "the page does not show the edit: {dom}"
    );
    assert!(dom.contains("@web_demo_bot"));
    // What the page typed reached the chat as the user's message.
    let chat = client.chat(&info.token, alice.id).await.unwrap();
    let last = chat.last().unwrap();
    assert_eq!(last.text(), "Thanks!");
    assert!(!last.is_from_bot());
    assert!(dom.contains("Thanks!"));
}
