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

const NEW_MASTER: &str = "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100";

fn export(db: &str, master: &str, id: &str) -> serde_json::Value {
    serde_json::from_str(&ok(&unlockd(
        db,
        Some(master),
        &["key", "export", "--id", id],
    )))
    .expect("JSON")
}

fn reseal(db: &str, old: &str, new: &str) -> Output {
    let mut cmd = Command::new(binary());
    cmd.args(["key", "reseal"])
        .env("UNLOCKD_DATABASE_URL", db)
        .env("RUST_LOG", "error")
        .env("UNLOCKD_MASTER_KEY", old)
        .env("UNLOCKD_NEW_MASTER_KEY", new);
    cmd.output().expect("run unlockd key reseal")
}

#[test]
fn key_reseal_moves_every_private_key_to_the_new_master_key_in_one_transaction() {
    let test_db = unlockd_tests::TestDatabase::new();
    let db = test_db.url().to_owned();
    ok(&unlockd(&db, Some(MASTER), &["demo"]));
    let second = ok(&unlockd(
        &db,
        Some(MASTER),
        &["key", "generate", "--author", "1", "--bits", "1024"],
    ));
    let second = second.trim();
    let before = export(&db, MASTER, DEMO_KEY_ID);
    let client = Plus5Client::new(
        ClientKeys::from_envelope(
            before["Envelope"].as_str().expect("Envelope"),
            before["EnvelopeKey"].as_str().expect("EnvelopeKey"),
        )
        .expect("envelope"),
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let respond = |master: &str, session: &str| {
        let request = client
            .activation_request(
                1001,
                "demo1001",
                session,
                &[Identifier {
                    kind: 10,
                    name: "NIC".into(),
                    value: session.into(),
                }],
                OffsetDateTime::now_utc(),
            )
            .expect("request");
        let file = dir.path().join(format!("{session}.xml"));
        std::fs::write(&file, request).expect("write");
        unlockd(
            &db,
            Some(master),
            &["offline", "respond", file.to_str().expect("path")],
        )
    };
    let old_answer = ok(&respond(MASTER, "old1"));

    // A wrong old master key opens nothing and changes nothing.
    let keys_before = ok(&unlockd(&db, None, &["key", "list"]));
    let wrong = "ab".repeat(32);
    let refused = reseal(&db, &wrong, NEW_MASTER);
    assert!(!refused.status.success(), "wrong old key exits non-zero");
    assert_eq!(ok(&unlockd(&db, None, &["key", "list"])), keys_before);
    let unchanged = export(&db, MASTER, DEMO_KEY_ID);
    assert_eq!(unchanged, before, "still sealed under the old master key");

    let done = ok(&reseal(&db, MASTER, NEW_MASTER));
    assert!(done.starts_with("2 keys"), "{done}");
    for id in [DEMO_KEY_ID, second] {
        assert!(
            !unlockd(&db, Some(MASTER), &["key", "export", "--id", id])
                .status
                .success(),
            "{id}: the old master key no longer opens it"
        );
    }
    assert_eq!(
        export(&db, NEW_MASTER, DEMO_KEY_ID),
        before,
        "the same key material, now under the new master key"
    );
    export(&db, NEW_MASTER, second);

    // The server side answers with the new master key; old answers still verify.
    let new_answer = ok(&respond(NEW_MASTER, "new1"));
    let mut fresh = Plus5Client::new(
        ClientKeys::from_envelope(
            before["Envelope"].as_str().expect("Envelope"),
            before["EnvelopeKey"].as_str().expect("EnvelopeKey"),
        )
        .expect("envelope"),
    );
    fresh
        .import_activation(&old_answer, "old1")
        .expect("an answer from before the re-seal verifies");
    fresh
        .import_activation(&new_answer, "new1")
        .expect("an answer after the re-seal verifies");
}
