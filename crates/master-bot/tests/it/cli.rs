use std::process::Command;

use reqwest::StatusCode;
use secrecy::ExposeSecret;

use crate::TestApp;

fn master(app: &TestApp, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_master-bot"))
        .args(args)
        .env("DATABASE_URL", app.t.url().expose_secret())
        .env("LOG_FORMAT", "json")
        .env("RUST_LOG", "off")
        .output()
        .unwrap()
}

/// The bootstrap: `apikey create --operator` prints a key once, and the API accepts it;
/// `apikey revoke` makes the API refuse it.
#[tokio::test]
async fn the_cli_makes_the_first_operator_key() {
    let app = TestApp::spawn().await;
    let out = master(
        &app,
        &["apikey", "create", "--operator", "--name", "bootstrap"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let key = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    assert!(key.starts_with("bk_"), "{key}");
    assert_eq!(app.get("/tenants", &key).await.status, StatusCode::OK);

    let list = master(&app, &["apikey", "list"]);
    let listed = String::from_utf8(list.stdout).unwrap();
    assert!(listed.contains("bootstrap") && !listed.contains(&key));

    let neither = master(&app, &["apikey", "create", "--name", "x"]);
    assert!(!neither.status.success(), "a scope must be chosen");

    // The test app's own key is 1; the bootstrap key is 2.
    assert!(master(&app, &["apikey", "revoke", "2"]).status.success());
    assert_eq!(
        app.get("/tenants", &key).await.status,
        StatusCode::UNAUTHORIZED
    );
}

/// `serve` with an operator bot token but no allowlist, or a malformed one, refuses to start
/// and names the variable.
#[test]
fn serve_refuses_an_operator_bot_without_a_valid_allowlist() {
    for ids in [None, Some("12,abc"), Some(" , ")] {
        let mut command = Command::new(env!("CARGO_BIN_EXE_master-bot"));
        command
            .arg("serve")
            .env("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/unused")
            .env("HTTP_ADDR", "127.0.0.1:0")
            .env("OPERATOR_BOT_TOKEN", "123:not-checked")
            .env("LOG_FORMAT", "json")
            .env("RUST_LOG", "off")
            .env_remove("OPERATOR_IDS");
        if let Some(ids) = ids {
            command.env("OPERATOR_IDS", ids);
        }
        let out = command.output().unwrap();
        assert!(!out.status.success(), "{ids:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("OPERATOR_IDS") || stderr.contains("operator-ids"),
            "{ids:?}: {stderr}"
        );
        assert!(
            !stderr.contains("not-checked"),
            "the token is never printed"
        );
    }
}
