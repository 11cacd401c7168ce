//! Seats are never oversold by several server processes (rules CON-1, CON-2, errata
//! E-16): 200 concurrent ActivateInstallationLicenseFile requests from distinct
//! computers on a license allowing 5, over real sockets. On PostgreSQL they are spread
//! over two `unlockd serve` processes sharing the database; on SQLite one process.

use std::sync::Barrier;

use unlockd_core::{GrantKind, LicenseId};
use unlockd_store::{DatabaseUrl, Store, StoreOptions};
use unlockd_tests::{extract_text, on_postgres, TestApp};

use crate::activation::license_file_request;

const REQUESTS: usize = 200;
const SEATS: usize = 5;
const LICENSE: i32 = 9001;
const PASSWORD: &str = "race9001";
/// E-NOACT (wire.md result codes; rules A14).
const NO_ACTIVATIONS_LEFT: i32 = 5011;

/// Option 90 with 5 activations per unit and license 9001 (quantity 1) on it, created
/// through the admin CLI on the demo product and customer.
fn five_seat_license(app: &TestApp) {
    app.admin(&[
        "option",
        "add",
        "--id",
        "90",
        "--product",
        "1",
        "--name",
        "Race",
        "--activations",
        "5",
        "--issue-installation-id",
    ]);
    app.admin(&[
        "license",
        "add",
        "--id",
        "9001",
        "--option",
        "90",
        "--customer",
        "1",
        "--password",
        PASSWORD,
    ]);
}

/// Fires all requests at once (request `i` goes to `apps[i % apps.len()]`, computer
/// `RACE-i`) and returns the result codes.
fn storm(apps: &[&TestApp]) -> Vec<i32> {
    let barrier = Barrier::new(REQUESTS);
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..REQUESTS)
            .map(|i| {
                let (app, barrier) = (apps[i % apps.len()], &barrier);
                s.spawn(move || {
                    let request = license_file_request(
                        LICENSE,
                        PASSWORD,
                        &format!("RACE-{i:03}"),
                        &format!("R{i}"),
                    );
                    barrier.wait();
                    let doc = app.call("ActivateInstallationLicenseFile", &request);
                    extract_text(&doc, "ResultCode")
                        .and_then(|c| c.parse().ok())
                        .unwrap_or_else(|| panic!("no ResultCode in {doc}"))
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("request thread"))
            .collect()
    })
}

#[test]
fn con_2_two_hundred_concurrent_activations_on_five_seats_grant_exactly_five() {
    let first = TestApp::spawn();
    five_seat_license(&first);
    let peer = on_postgres().then(|| first.spawn_peer());
    let apps: Vec<&TestApp> = std::iter::once(&first).chain(peer.as_ref()).collect();

    let codes = storm(&apps);

    let granted = codes.iter().filter(|c| **c == 0).count();
    let refused = codes.iter().filter(|c| **c == NO_ACTIVATIONS_LEFT).count();
    assert_eq!(granted, SEATS, "result codes: {codes:?}");
    assert_eq!(
        refused,
        REQUESTS - SEATS,
        "every other answer is E-NOACT: {codes:?}"
    );

    let url = DatabaseUrl::parse(&first.database_url()).expect("url");
    let store = Store::open(&url, StoreOptions::default()).expect("open");
    let license = LicenseId::new(LICENSE).expect("license ID");
    let state = store
        .license_state(license)
        .expect("read")
        .expect("license");
    assert_eq!(state.activations_left, 0);
    let records = store.records(license).expect("records");
    assert_eq!(records.len(), SEATS);
    assert!(records.iter().all(|r| r.kind == GrantKind::Counted));
    // 5 success rows written with the grants plus 195 attempt rows (errata E-3).
    assert_eq!(store.history_count().expect("history"), REQUESTS as i64);
}
