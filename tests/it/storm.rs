//! A bounded, seeded storm of mixed activations, deactivations and same-computer
//! reactivations from several concurrent clients (on PostgreSQL over two server
//! processes), then the invariant checker over the database: rules CON-2 (errata
//! E-16) and CON-3 hold for every license and the history agrees with the counts
//! and with what the clients were told (errata E-3: one history row per request).

use std::collections::BTreeMap;
use std::sync::Mutex;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use unlockd_tests::{extract_text, on_postgres, TestApp, DEMO_KEY_ID};

use crate::activation::license_file_request;
use crate::invariants::{assert_license_invariants, open_store};

const SEED: u64 = 0x5eed_0005;
const CLIENTS: u64 = 6;
const OPS_PER_CLIENT: usize = 40;
const LICENSES: [i32; 3] = [9101, 9102, 9103];
/// Computers per license: few, so reactivations on one computer are frequent.
const COMPUTERS: u32 = 6;

fn deactivate_request(installation: &str) -> String {
    format!(
        "<DeactivateInstallation><EncryptionKeyID>{DEMO_KEY_ID}</EncryptionKeyID><PrivateData>\
<InstallationID>{installation}</InstallationID></PrivateData></DeactivateInstallation>"
    )
}

fn result_code(doc: &str) -> i32 {
    extract_text(doc, "ResultCode")
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("no ResultCode in {doc}"))
}

/// Successes the clients saw, per license: (activations, deactivations).
type Seen = BTreeMap<i32, (i64, i64)>;

/// One client: `OPS_PER_CLIENT` seeded steps; returns the requests it sent.
fn client(
    app: &TestApp,
    n: u64,
    installations: &Mutex<Vec<(String, i32)>>,
    seen: &Mutex<Seen>,
) -> i64 {
    let mut rng = ChaCha8Rng::seed_from_u64(SEED + n);
    for step in 0..OPS_PER_CLIENT {
        let known = installations.lock().expect("lock").clone();
        if known.is_empty() || rng.random_bool(0.6) {
            let license = LICENSES[rng.random_range(0..LICENSES.len())];
            let computer = rng.random_range(0..COMPUTERS);
            let doc = app.call(
                "ActivateInstallationLicenseFile",
                &license_file_request(
                    license,
                    &format!("storm{license}"),
                    &format!("STORM-{license}-{computer}"),
                    &format!("S{n}-{step}"),
                ),
            );
            if result_code(&doc) == 0 {
                let iid = extract_text(&doc, "InstallationID").expect("InstallationID");
                installations.lock().expect("lock").push((iid, license));
                seen.lock().expect("lock").entry(license).or_default().0 += 1;
            }
        } else {
            let (iid, license) = &known[rng.random_range(0..known.len())];
            let doc = app.call("DeactivateInstallation", &deactivate_request(iid));
            if result_code(&doc) == 0 {
                seen.lock().expect("lock").entry(*license).or_default().1 += 1;
            }
        }
    }
    OPS_PER_CLIENT as i64
}

#[test]
fn con_2_seeded_storm_of_activations_and_deactivations_keeps_every_invariant() {
    let first = TestApp::spawn();
    first.admin(&[
        "option",
        "add",
        "--id",
        "91",
        "--product",
        "1",
        "--name",
        "Storm",
        "--activations",
        "3",
        "--issue-installation-id",
        "--deactivations",
        "4",
        "--allow-reactivation",
    ]);
    for id in LICENSES {
        let (id, password) = (id.to_string(), format!("storm{id}"));
        first.admin(&[
            "license",
            "add",
            "--id",
            &id,
            "--option",
            "91",
            "--customer",
            "1",
            "--password",
            &password,
        ]);
    }
    let peer = on_postgres().then(|| first.spawn_peer());
    let apps: Vec<&TestApp> = std::iter::once(&first).chain(peer.as_ref()).collect();

    let installations = Mutex::new(Vec::new());
    let seen = Mutex::new(Seen::new());
    let sent: i64 = std::thread::scope(|s| {
        let workers: Vec<_> = (0..CLIENTS)
            .map(|n| {
                let (app, installations, seen) =
                    (apps[n as usize % apps.len()], &installations, &seen);
                s.spawn(move || client(app, n, installations, seen))
            })
            .collect();
        workers.into_iter().map(|w| w.join().expect("client")).sum()
    });

    let url = first.database_url();
    let store = open_store(&url);
    let seen = seen.into_inner().expect("seen");
    for id in LICENSES {
        let view = assert_license_invariants(&url, &store, id);
        let (activated, deactivated) = seen.get(&id).copied().unwrap_or_default();
        assert_eq!(
            view.records.len() as i64,
            activated,
            "license {id}: records = successes seen"
        );
        let client_deactivations = crate::invariants::count(
            &url,
            &format!(
                "SELECT COUNT(*) FROM activation_history WHERE license_id = {id} \
                 AND result_code = 0 AND operation = 'DeactivateInstallation'"
            ),
        );
        assert_eq!(
            client_deactivations, deactivated,
            "license {id}: deactivations seen"
        );
    }
    // The storm did something of each kind.
    let total: (i64, i64) = seen.values().fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
    assert!(
        total.0 > 0 && total.1 > 0,
        "activations and deactivations: {total:?}"
    );
    // Errata E-3: every request left exactly one history row.
    assert_eq!(store.history_count().expect("history"), sent);
}
