use std::process::{Command, Output};

use secrecy::ExposeSecret;
use system_tests::binary;
use test_support::TestDb;

fn master(t: &TestDb, args: &[&str]) -> Output {
    Command::new(binary("master-bot"))
        .args(args)
        .env_clear()
        .env("DATABASE_URL", t.url().expose_secret())
        .env("DATA_KEY", storage::crypto::DataKey::generate_base64())
        .env("RUST_LOG", "warn")
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[tokio::test]
async fn the_master_cli_migrates_and_manages_tenants_with_clear_errors() {
    let t = TestDb::new().await;
    let out = master(&t, &["migrate"]);
    assert!(out.status.success(), "{out:?}");
    assert!(stdout(&out).contains("tenants migrated: 0, failed: 0"));

    let out = master(
        &t,
        &[
            "tenant",
            "create",
            "--name",
            "Barber",
            "--time-zone",
            "Europe/Moscow",
            "--owner",
            "5",
        ],
    );
    assert!(out.status.success(), "{out:?}");
    let created = stdout(&out);
    assert!(
        created.starts_with("created tenant 1 (Barber), schema tenant_1"),
        "{created}"
    );

    let list = stdout(&master(&t, &["tenant", "list"]));
    assert!(
        list.contains("active") && list.contains("Barber") && list.contains("1 tenant(s)"),
        "{list}"
    );
    let show = stdout(&master(&t, &["tenant", "show", "1"]));
    assert!(show.contains("owner:           5"), "{show}");

    // Bad arguments: a clear message and a non-zero exit, nothing changed.
    let bad_zone = master(
        &t,
        &[
            "tenant",
            "create",
            "--name",
            "X",
            "--time-zone",
            "Mars/Base",
        ],
    );
    assert_eq!(bad_zone.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad_zone.stderr).contains("not an IANA time zone"));
    let missing = master(&t, &["tenant", "show", "42"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no tenant 42"));
    let guarded = master(&t, &["tenant", "delete", "1", "--confirm", "tenant_1"]);
    assert_eq!(guarded.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&guarded.stderr).contains("suspend and stop it first"));
    assert!(stdout(&master(&t, &["tenant", "list"])).contains("1 tenant(s)"));

    let out = master(&t, &["migrate"]);
    assert!(
        stdout(&out).contains("tenants migrated: 1, failed: 0"),
        "{out:?}"
    );
}
