//! Key management (issue 7): private keys sealed at rest with the master key
//! (`UNLOCKD_MASTER_KEY`), `key generate|list|export|retire`, and a retired key that
//! keeps answering after a rotation (wire.md §5.1).

use std::process::{Command, Output};

use time::OffsetDateTime;
use unlockd_client::plus5::{Identifier, Plus5Client};
use unlockd_client::ClientKeys;
use unlockd_tests::{binary, DEMO_KEY_ID};

const MASTER: &str = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

fn unlockd(db: &str, master: Option<&str>, args: &[&str]) -> Output {
    let mut cmd = Command::new(binary());
    cmd.args(args)
        .env("UNLOCKD_DATABASE_URL", db)
        .env("RUST_LOG", "error")
        .env_remove("UNLOCKD_MASTER_KEY");
    if let Some(m) = master {
        cmd.env("UNLOCKD_MASTER_KEY", m);
    }
    cmd.output().expect("run unlockd")
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).expect("utf-8")
}

#[test]
fn sealed_keys_rotation_and_retired_keys_keep_answering() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db_path = dir.path().join("unlockd.db");
    let db = format!("sqlite://{}", db_path.display());
    ok(&unlockd(&db, Some(MASTER), &["demo"]));

    let list = ok(&unlockd(&db, None, &["key", "list"]));
    assert!(
        list.contains(DEMO_KEY_ID) && list.contains("sealed"),
        "{list}"
    );
    let raw = std::fs::read(&db_path).expect("db file");
    assert!(
        !raw.windows(11).any(|w| w == b"PRIVATE KEY"),
        "no private PEM in clear at rest"
    );
    assert!(
        !unlockd(&db, None, &["key", "export", "--id", DEMO_KEY_ID])
            .status
            .success(),
        "sealed keys need the master key"
    );
    let export: serde_json::Value = serde_json::from_str(&ok(&unlockd(
        &db,
        Some(MASTER),
        &["key", "export", "--id", DEMO_KEY_ID],
    )))
    .expect("JSON");
    let keys = ClientKeys::from_envelope(
        export["Envelope"].as_str().expect("Envelope"),
        export["EnvelopeKey"].as_str().expect("EnvelopeKey"),
    )
    .expect("envelope");
    let client = Plus5Client::new(keys);

    // Rotate: a new key for author 1, the demo key retired.
    let new_id = ok(&unlockd(
        &db,
        Some(MASTER),
        &["key", "generate", "--author", "1"],
    ));
    ok(&unlockd(&db, None, &["key", "retire", "--id", DEMO_KEY_ID]));
    let list = ok(&unlockd(&db, None, &["key", "list"]));
    let demo_line = list
        .lines()
        .find(|l| l.starts_with(DEMO_KEY_ID))
        .expect("demo key listed");
    assert!(demo_line.contains("Retired"), "{demo_line}");
    assert!(list.contains(new_id.trim()), "{list}");

    // The retired key still answers, with the ServerKey opened by the master key.
    let request = client
        .activation_request(
            1001,
            "demo1001",
            "rot1",
            &[Identifier {
                kind: 10,
                name: "NIC".into(),
                value: "aa".into(),
            }],
            OffsetDateTime::now_utc(),
        )
        .expect("request");
    let file = dir.path().join("request.xml");
    std::fs::write(&file, request).expect("write");
    let file = file.to_str().expect("path");
    let wrong = "ff".repeat(32);
    let refused = unlockd(&db, Some(&wrong), &["offline", "respond", file]);
    assert!(
        String::from_utf8_lossy(&refused.stderr)
            .lines()
            .last()
            .is_some_and(|l| l.starts_with("5099")),
        "another master key opens nothing"
    );
    let answer = ok(&unlockd(&db, Some(MASTER), &["offline", "respond", file]));
    assert!(answer.contains("<SignatureValue>"));
}
