//! The binary: configuration from the environment, `--help`/`--version`, clean exit on SIGTERM.

use std::{process::Stdio, time::Duration};

use tokio::io::{AsyncBufReadExt, BufReader};

use crate::support::raw_call;

const EXE: &str = env!("CARGO_BIN_EXE_tg-sandbox");

#[test]
fn help_and_version() {
    let help = std::process::Command::new(EXE)
        .arg("--help")
        .output()
        .unwrap();
    assert!(help.status.success());
    let text = String::from_utf8_lossy(&help.stdout);
    assert!(
        text.contains("HTTP_ADDR") && text.contains("SANDBOX_FLOOD_LIMITS"),
        "{text}"
    );
    let version = std::process::Command::new(EXE)
        .arg("--version")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&version.stdout).starts_with("tg-sandbox "));
}

#[test]
fn a_malformed_address_is_named() {
    let out = std::process::Command::new(EXE)
        .env("HTTP_ADDR", "not-an-address")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("HTTP_ADDR"));
}

#[tokio::test]
async fn serves_registers_fixed_tokens_and_stops_on_sigterm() {
    let mut child = tokio::process::Command::new(EXE)
        .env("HTTP_ADDR", "127.0.0.1:0")
        .env("SANDBOX_BOTS", "demo_bot=123456:fixed-token")
        .env("RUST_LOG", "info")
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let url = tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            if let Some((_, rest)) = line.split_once("web chat at ") {
                return rest.split_whitespace().next().unwrap().to_owned();
            }
        }
        panic!("the binary exited without saying where it listens");
    })
    .await
    .unwrap();
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });

    let client = tg_sandbox::SandboxClient::new(&url).unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while client.bots().await.map(|b| b.is_empty()).unwrap_or(true) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "SANDBOX_BOTS was not registered"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let (status, me) = raw_call(
        &client,
        "123456:fixed-token",
        "getMe",
        serde_json::json!({}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(me["result"]["username"], "demo_bot");
    assert_eq!(me["result"]["id"], 123_456);

    // The operational endpoints every binary of the platform serves.
    let http = reqwest::Client::new();
    for path in ["health", "ready"] {
        let response = http.get(format!("{url}{path}")).send().await.unwrap();
        assert_eq!(response.status(), 200, "/{path}");
    }
    let metrics = http
        .get(format!("{url}metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(metrics.contains("tg_sandbox_requests_total 1"), "{metrics}");
    assert!(metrics.contains("tg_sandbox_bots 1"), "{metrics}");

    let pid = child.id().unwrap().to_string();
    assert!(
        std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let status = tokio::time::timeout(Duration::from_secs(10), child.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(status.success(), "{status:?}");
}
