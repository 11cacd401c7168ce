//! Crash test (rules CON-6): `kill -9` the server while clients are activating; after
//! `unlockd migrate` and a new `unlockd serve` on the same database, every
//! activation a client got a success answer for is there (client log ⊆ database),
//! and the invariant checker still holds.

use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use unlockd_core::{InstallationId, RecordState};
use unlockd_tests::{binary, extract_text, TestApp};

use crate::activation::license_file_request;
use crate::invariants::{assert_license_invariants, open_store};

const LICENSE: i32 = 9201;
const PASSWORD: &str = "crash9201";
const CLIENTS: usize = 8;
/// Successes to wait for before the kill (so the kill lands mid-load).
const KILL_AFTER: usize = 40;

#[test]
fn con_6_every_acknowledged_activation_survives_kill_9() {
    let app = TestApp::spawn();
    app.admin(&[
        "option",
        "add",
        "--id",
        "92",
        "--product",
        "1",
        "--name",
        "Crash",
        "--activations",
        "100000",
        "--issue-installation-id",
    ]);
    app.admin(&[
        "license",
        "add",
        "--id",
        "9201",
        "--option",
        "92",
        "--customer",
        "1",
        "--password",
        PASSWORD,
    ]);

    let acknowledged = Mutex::new(Vec::<String>::new());
    let stop = AtomicBool::new(false);
    std::thread::scope(|s| {
        for c in 0..CLIENTS {
            let (app, acknowledged, stop) = (&app, &acknowledged, &stop);
            s.spawn(move || {
                for i in 0.. {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    let request = license_file_request(
                        LICENSE,
                        PASSWORD,
                        &format!("CRASH-{c}-{i}"),
                        &format!("C{c}-{i}"),
                    );
                    // A dead server ends this client: that request was not acknowledged.
                    let Ok(Some(doc)) = app.try_call("ActivateInstallationLicenseFile", &request)
                    else {
                        break;
                    };
                    if extract_text(&doc, "ResultCode").as_deref() == Some("0") {
                        let iid = extract_text(&doc, "InstallationID").expect("InstallationID");
                        acknowledged.lock().expect("lock").push(iid);
                    }
                }
            });
        }
        let deadline = Instant::now() + Duration::from_secs(60);
        while acknowledged.lock().expect("lock").len() < KILL_AFTER {
            assert!(Instant::now() < deadline, "the load made no progress");
            std::thread::sleep(Duration::from_millis(5));
        }
        app.kill9();
        stop.store(true, Ordering::Relaxed);
    });

    // The database opens cleanly: migrate, then serve again on it.
    let out = Command::new(binary())
        .arg("migrate")
        .env("UNLOCKD_DATABASE_URL", app.database_url())
        .env("RUST_LOG", "error")
        .output()
        .expect("run unlockd migrate");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let restarted = app.spawn_peer();

    let acknowledged = acknowledged.into_inner().expect("log");
    assert!(acknowledged.len() >= KILL_AFTER);
    let url = restarted.database_url();
    let store = open_store(&url);
    let view = assert_license_invariants(&url, &store, LICENSE);
    for iid in &acknowledged {
        let iid = InstallationId::parse(iid).expect("installation ID");
        assert!(
            view.records
                .iter()
                .any(|r| r.installation_id.as_ref() == Some(&iid) && r.state == RecordState::Active),
            "acknowledged activation {iid} lost by the crash"
        );
    }
    // The restarted server answers from the same database.
    let doc = restarted.call(
        "CheckInstallationStatus",
        &format!(
            "<CheckInstallationStatus><EncryptionKeyID>{}</EncryptionKeyID><PrivateData>\
<InstallationID>{}</InstallationID></PrivateData></CheckInstallationStatus>",
            unlockd_tests::DEMO_KEY_ID,
            acknowledged[0]
        ),
    );
    assert_eq!(
        extract_text(&doc, "ResultCode").as_deref(),
        Some("0"),
        "{doc}"
    );
}
